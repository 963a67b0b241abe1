package dev.onepipe.archive.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.onepipe.archive.ArchiveSettings;
import dev.onepipe.archive.format.ArchiveReader;
import dev.onepipe.archive.replay.ArchiveReplay;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.metadata.TimestampText;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code onepipe replay}: produce archived records back to Kafka. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Produce a topic's archived records back to Kafka, in offset order per partition, with their original",
            "keys, values, headers and timestamps, to the same partition numbers (transactionally, 10,000 records a transaction).",
            "Refuses a target partition that already holds records unless --force (which appends them again)."})
final class ReplayCommand implements Callable<Integer> {

    @ArgGroup(multiplicity = "1")
    ArchiveTarget target;

    @Option(names = "--from", paramLabel = "<time>", description = "Earliest record time to replay, inclusive: 2026-11-22T07:00:00Z, 2026-11-22T08:00:00+01:00, 2026-11-22T07:00 or 2026-11-22 07:00 (UTC), or 2026-11-22 (midnight UTC); the same forms as JSON timestamps.")
    String from;

    @Option(names = "--to", paramLabel = "<time>", description = "Record time to stop before, exclusive; same forms as --from.")
    String to;

    @Option(names = "--partitions", split = ",", paramLabel = "<p>", description = "Partitions to replay, e.g. 0,3 (default: all).")
    List<Integer> partitions = List.of();

    @Option(names = "--target-topic", paramLabel = "<topic>", description = "Topic to produce to (default: the archived topic). Created if missing.")
    String targetTopic;

    @Option(names = "--force", description = "Replay even into partitions that already hold records.")
    boolean force;

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws InterruptedException {
        TopologyContext context = target.context(options);
        ArchiveSettings settings = ArchiveSettings.from(context.config());
        Map<String, Object> kafka = KafkaClientSettings.common(context.config());
        String topic = context.inputTopic();
        ArchiveReplay.Request request = new ArchiveReplay.Request(topic, targetTopic == null ? topic : targetTopic,
                new LinkedHashSet<>(partitions), from == null ? Instant.ofEpochMilli(Long.MIN_VALUE) : parseTime("--from", from),
                to == null ? Instant.ofEpochMilli(Long.MAX_VALUE) : parseTime("--to", to), force);
        PrintStream out = System.out;
        try (S3Client s3 = S3ClientFactory.create(settings.s3());
             ArchiveReader reader = new ArchiveReader(s3, settings.s3().bucket(), settings.layout());
             Admin admin = Admin.create(kafka)) {
            ArchiveReplay.Summary summary = new ArchiveReplay(reader, admin, kafka, out).replay(request);
            double seconds = Math.max(0.001, summary.duration().toNanos() / 1e9);
            out.printf(Locale.ROOT, "Replayed %,d records (%,.1f MB) of %s to %s in %.1f s: %,.0f records/s%n", summary.records(),
                    summary.bytes() / 1e6, topic, request.targetTopic(), seconds, summary.records() / seconds);
            summary.recordsByPartition().forEach((partition, count) -> out.printf(Locale.ROOT, "  partition %d: %,d records%n", partition, count));
        }
        return 0;
    }

    static Instant parseTime(String option, String text) {
        try {
            return TimestampText.parseInstant(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a time: use " + TimestampText.FORMS);
        }
    }
}
