package dev.onepipe.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.archive.ArchiveSettings;
import dev.onepipe.archive.ArchiveTopology;
import dev.onepipe.archive.format.ArchiveLayout;
import dev.onepipe.archive.format.ArchiveReader;
import dev.onepipe.archive.verify.ArchiveVerifier;
import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.metadata.MetadataCatalog;
import org.apache.kafka.clients.admin.Admin;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The demo's archive step: the archive topology runs for each sample dataset, as {@code onepipe run archive
 * --dataset <name>} would, until {@code onepipe archive verify} finds every record in S3 exactly once.
 */
final class DemoArchive {

    private static final Duration COMPLETION_TIMEOUT = Duration.ofMinutes(4);
    private static final String PREFIX = "raw";

    /** What the archive holds for one dataset once it is complete. */
    record ArchivedDataset(String dataset, String topic, long records, List<String> objectKeys, boolean exactlyOnce) {
    }

    private DemoArchive() {
    }

    static List<ArchivedDataset> archive(EmbeddedRuntime runtime, MetadataCatalog catalog, Map<String, Long> publishedByDataset,
                                         Path stateRoot) throws InterruptedException {
        ArchiveTopology topology = new ArchiveTopology();
        Map<String, String> settings = new LinkedHashMap<>(runtime.clientConfig());
        settings.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        // The demo's traffic stops; a short idle flush puts the last open chunks in S3 within seconds.
        settings.put(ArchiveSettings.IDLE_FLUSH_MS, "1000");
        settings.put("num.stream.threads", "1");
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        List<TopologyRunner> runners = new ArrayList<>();
        try {
            for (String dataset : publishedByDataset.keySet()) {
                String topic = catalog.dataset(dataset).orElseThrow().metadata().topic();
                runners.add(TopologyRunner.start(topology, new TopologyContext(topology.name(), Optional.of(dataset), topic, config, catalog)));
            }
            List<ArchivedDataset> archived = new ArrayList<>();
            for (Map.Entry<String, Long> published : publishedByDataset.entrySet()) {
                String topic = catalog.dataset(published.getKey()).orElseThrow().metadata().topic();
                archived.add(awaitComplete(runtime, published.getKey(), topic, published.getValue()));
            }
            return archived;
        } finally {
            runners.forEach(runner -> runner.close(Duration.ofSeconds(30)));
        }
    }

    private static ArchivedDataset awaitComplete(EmbeddedRuntime runtime, String dataset, String topic, long published)
            throws InterruptedException {
        long deadline = System.nanoTime() + COMPLETION_TIMEOUT.toNanos();
        while (true) {
            try (S3Client s3 = runtime.newS3Client();
                 ArchiveReader reader = new ArchiveReader(s3, runtime.bucket(), new ArchiveLayout(PREFIX));
                 Admin admin = Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()))) {
                VerificationReport report = new ArchiveVerifier(reader, admin, Map.of("bootstrap.servers", runtime.bootstrapServers()))
                        .verify(topic, "s3://" + runtime.bucket() + "/" + PREFIX + "/" + topic + "/",
                                TopologyContext.APPLICATION_ID_PREFIX + ArchiveTopology.NAME + "-" + dataset);
                long records = report.partitions().stream().mapToLong(VerificationReport.PartitionReport::records).sum();
                if ((report.complete() && records >= published) || System.nanoTime() > deadline) {
                    List<String> keys = reader.list(topic).stream().map(ArchiveLayout.ChunkObject::key).sorted().toList();
                    if (records < published) {
                        throw new IllegalStateException("The archive of " + topic + " holds " + records + " of " + published
                                + " records after " + COMPLETION_TIMEOUT.toSeconds() + " s");
                    }
                    return new ArchivedDataset(dataset, topic, records, keys, report.exactlyOnce());
                }
            }
            Thread.sleep(1000);
        }
    }
}
