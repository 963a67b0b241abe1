package dev.onepipe.reconciliation;

import java.util.HashMap;
import java.util.Map;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.config.MissingConfigurationException;
import dev.onepipe.core.s3.S3Settings;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** Kafka and S3 client settings for the reconciliation commands, from onepipe's layered configuration. */
final class ReconciliationClients {

    /** The raw archive's key prefix, the archive's own setting (archive-streams/README.md, "Settings"). */
    static final String ARCHIVE_PREFIX = "onepipe.archive.s3.prefix";
    static final String DEFAULT_ARCHIVE_PREFIX = "raw";

    private ReconciliationClients() {
    }

    /** Bootstrap servers plus the configured keys both admin clients and consumers know (security, timeouts). */
    static Map<String, Object> kafkaConfig(OnepipeConfig config) {
        Map<String, Object> kafka = new HashMap<>();
        config.kafkaProperties().forEach((key, value) -> {
            String name = key.toString();
            if (AdminClientConfig.configNames().contains(name) && ConsumerConfig.configNames().contains(name)) {
                kafka.put(name, value);
            }
        });
        kafka.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return kafka;
    }

    /**
     * The S3 settings ({@code onepipe.s3.*}).
     *
     * @throws MissingConfigurationException when no bucket is configured
     */
    static S3Settings s3(OnepipeConfig config) {
        return S3Settings.fromConfig(config.asMap()).orElseThrow(() -> new MissingConfigurationException(
                "Reconciling against the raw archive needs its S3 bucket: set " + S3Settings.BUCKET + " (--s3-bucket, or ONEPIPE_S3_BUCKET)"));
    }
}
