package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.embedded.EmbeddedKafkaBroker;
import dev.onepipe.core.embedded.EmbeddedS3Endpoint;
import dev.onepipe.core.embedded.SaslSslListener;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.OnepipeProcess;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Every onepipe command an operator runs against a secured cluster, on a real broker whose only client listener is
 * {@code SASL_SSL} with {@code SCRAM-SHA-512} (a CA and broker certificate made here with keytool) and whose
 * {@code StandardAuthorizer} denies whatever no ACL allows. Each command runs as its own process with a
 * {@code --config} file holding the security settings, as operators run it, at {@code --verbose} so Kafka logs every
 * client's configuration: the test then checks that no password appears in anything printed.
 *
 * <p>Principals: {@code pipeline} may do what pipelines do (topics, groups, transactional ids; not a super user),
 * {@code reader} may only read and describe, {@code stranger} may only describe topics and read the metadata topic.
 */
class SecuredKafkaIT {

    private static final String PIPELINE = "pipeline";
    private static final String READER = "reader";
    private static final String STRANGER = "stranger";
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final int SERVED = 2_000;

    @TempDir
    static Path folder;

    private static SaslSslListener listener;
    private static EmbeddedKafkaBroker broker;
    private static EmbeddedS3Endpoint s3;
    private static S3Settings s3Settings;
    private static Admin admin;
    private static final List<String> printed = new ArrayList<>();

    @BeforeAll
    static void startSecuredCluster() throws Exception {
        listener = SaslSslListener.create(folder.resolve("tls"), List.of(PIPELINE, READER, STRANGER));
        broker = EmbeddedKafkaBroker.startSecured(listener);
        s3 = EmbeddedS3Endpoint.start(folder.resolve("s3"));
        s3Settings = s3.settings("onepipe");
        try (S3Client client = S3ClientFactory.create(s3Settings)) {
            S3ClientFactory.ensureBucket(client, s3Settings.bucket());
        }
        Map<String, Object> adminConfig = new LinkedHashMap<>(listener.clientConfig(listener.adminUser()));
        adminConfig.put("bootstrap.servers", broker.bootstrapServers());
        admin = Admin.create(adminConfig);
        for (String topic : List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS)) {
            admin.createTopics(Set.of(new NewTopic(topic, 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        List<AclBinding> acls = new ArrayList<>();
        for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
            acls.add(allow(PIPELINE, type, "*", AclOperation.ALL));
        }
        acls.add(allow(PIPELINE, ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE));
        acls.add(allow(PIPELINE, ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE_CONFIGS));
        for (AclOperation operation : List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)) {
            acls.add(allow(READER, ResourceType.TOPIC, "*", operation));
        }
        acls.add(allow(READER, ResourceType.GROUP, "*", AclOperation.ALL));
        acls.add(allow(STRANGER, ResourceType.TOPIC, "*", AclOperation.DESCRIBE));
        acls.add(allow(STRANGER, ResourceType.TOPIC, "*", AclOperation.DESCRIBE_CONFIGS));
        acls.add(allow(STRANGER, ResourceType.TOPIC, MetadataTopic.DEFAULT_NAME, AclOperation.READ));
        acls.add(allow(STRANGER, ResourceType.GROUP, "*", AclOperation.ALL));
        admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopSecuredCluster() {
        if (admin != null) {
            admin.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static AclBinding allow(String user, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    @Test
    void everyCommandWorksThroughSaslSslAndMissingAclsAreNamed() throws Exception {
        Path pipeline = configFile(PIPELINE);
        for (String dataset : List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS)) {
            Path schema = Files.writeString(folder.resolve(dataset + ".avsc"), SampleDatasets.schema(dataset).toString());
            Path metadata = Files.writeString(folder.resolve(dataset + ".json"), SampleDatasets.metadataJson(dataset));
            assertEquals(0, exit(pipeline, "metadata", "register", "--metadata", metadata.toString(), "--schema", schema.toString()));
        }

        // a principal that may read but not write the metadata topic cannot register, and is told which ACL it lacks
        Path widgetsSchema = Files.writeString(folder.resolve("widgets.avsc"), SampleDatasets.schema(SampleDatasets.WIDGETS).toString());
        Path widgetsMetadata = Files.writeString(folder.resolve("widgets.json"), SampleDatasets.metadataJson(SampleDatasets.WIDGETS));
        String refused = output(configFile(READER), 2, "metadata", "register", "--metadata", widgetsMetadata.toString(),
                "--schema", widgetsSchema.toString());
        assertTrue(refused.contains("may not WRITE topic '" + MetadataTopic.DEFAULT_NAME + "'")
                && refused.contains("ACL allowing WRITE on TOPIC " + MetadataTopic.DEFAULT_NAME), refused);

        assertEquals(0, exit(pipeline, "produce", "--dataset", SampleDatasets.AD_SERVED, "--generate", String.valueOf(SERVED)));

        try (OnepipeProcess archive = start(pipeline, "run", "archive", "--dataset", SampleDatasets.AD_SERVED, "--close-timeout", "10")) {
            awaitComplete(pipeline, archive);
            assertEquals(143, archive.terminate(Duration.ofMinutes(2)), archive.output());
            printed.add(archive.output());
        }

        String replayed = output(pipeline, 0, "replay", "--dataset", SampleDatasets.AD_SERVED, "--target-topic", "ad-served-replayed");
        assertTrue(replayed.contains("Replayed"), replayed);

        try (OnepipeProcess metrics = start(pipeline, "run", "campaign-metrics", "--dataset", SampleDatasets.AD_SERVED, "--close-timeout", "10")) {
            awaitCommitted("onepipe-campaign-metrics-" + SampleDatasets.AD_SERVED, metrics);
            assertEquals(143, metrics.terminate(Duration.ofMinutes(2)), metrics.output());
            printed.add(metrics.output());
        }

        // a principal without READ on the input is told so before anything starts, and the run exits non-zero
        String denied = output(configFile(STRANGER), 2, "run", "archive", "--dataset", SampleDatasets.AD_SERVED);
        assertTrue(denied.contains("may not READ topic '" + SampleDatasets.AD_SERVED + "'")
                && denied.contains("ACL allowing READ on TOPIC " + SampleDatasets.AD_SERVED), denied);

        printed.add(output(pipeline, 0, "run", "--help"));
        printed.add(output(pipeline, 0, "metadata", "register", "--help"));
        assertTrue(printed.stream().anyMatch(text -> text.contains("sasl.jaas.config = [hidden]")),
                "--verbose runs show the clients' configuration, so the check below looks at real config dumps");
        for (String secret : secrets()) {
            for (String text : printed) {
                assertFalse(text.contains(secret), "a password was printed:\n" + text);
            }
        }
    }

    /** Every password of the cluster: the SCRAM users', the key and trust stores'. */
    private static List<String> secrets() {
        List<String> secrets = new ArrayList<>(listener.users().values());
        secrets.add(listener.storePassword());
        return secrets;
    }

    private Path configFile(String user) throws IOException {
        Properties properties = new Properties();
        properties.putAll(listener.clientConfig(user));
        properties.put("bootstrap.servers", broker.bootstrapServers());
        properties.putAll(s3Settings.toConfig());
        properties.put("onepipe.state.root", folder.resolve("state-" + user).toString());
        // the archive's open tail goes to S3 after a second of quiet instead of a minute
        properties.put("onepipe.archive.idle.flush.ms", "1000");
        Path file = folder.resolve(user + ".properties");
        try (Writer writer = Files.newBufferedWriter(file)) {
            properties.store(writer, "onepipe on the secured test cluster as " + user);
        }
        return file;
    }

    private static OnepipeProcess start(Path config, String... arguments) {
        List<String> command = new ArrayList<>(List.of(arguments));
        command.addAll(List.of("--config", config.toString(), "--verbose"));
        return OnepipeProcess.start(command.toArray(String[]::new));
    }

    private static int exit(Path config, String... arguments) throws InterruptedException {
        try (OnepipeProcess process = start(config, arguments)) {
            int exit = process.awaitExit(PATIENCE);
            printed.add(process.output());
            assertEquals(0, exit, process.output());
            return exit;
        }
    }

    private static String output(Path config, int expectedExit, String... arguments) throws InterruptedException {
        try (OnepipeProcess process = start(config, arguments)) {
            int exit = process.awaitExit(PATIENCE);
            printed.add(process.output());
            if (expectedExit == 0) {
                assertEquals(0, exit, process.output());
            } else {
                assertNotEquals(0, exit, process.output());
            }
            return process.output();
        }
    }

    /**
     * Waits until the archive has committed the whole topic, then runs {@code archive verify --require-complete} until
     * every committed record is in S3 exactly once.
     */
    private static void awaitComplete(Path config, OnepipeProcess archive) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(SampleDatasets.AD_SERVED)).allTopicNames().get(30, TimeUnit.SECONDS).get(SampleDatasets.AD_SERVED)
                .partitions().forEach(partition -> latest.put(new TopicPartition(SampleDatasets.AD_SERVED, partition.partition()), OffsetSpec.latest()));
        long end = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(info -> info.offset()).sum();
        assertTrue(end > 0, "nothing was produced");
        while (committed("onepipe-archive-" + SampleDatasets.AD_SERVED) < end) {
            assertTrue(System.nanoTime() < deadline && archive.isAlive(), "the archive did not commit the topic:\n" + archive.output());
            Thread.sleep(500);
        }
        while (true) {
            try (OnepipeProcess verify = start(config, "archive", "verify", "--dataset", SampleDatasets.AD_SERVED, "--require-complete")) {
                int exit = verify.awaitExit(PATIENCE);
                printed.add(verify.output());
                if (exit == 0) {
                    return;
                }
                assertTrue(System.nanoTime() < deadline && archive.isAlive(),
                        "the archive did not complete; verify:\n" + verify.output() + "\narchive:\n" + archive.output());
            }
            Thread.sleep(2_000);
        }
    }

    private static long committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).values().stream()
                .filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static void awaitCommitted(String group, OnepipeProcess process) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (committed(group) == 0) {
            assertTrue(System.nanoTime() < deadline && process.isAlive(), "nothing committed by " + group + ":\n" + process.output());
            Thread.sleep(500);
        }
    }
}
