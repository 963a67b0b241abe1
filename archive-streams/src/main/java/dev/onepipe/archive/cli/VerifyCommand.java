package dev.onepipe.archive.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.onepipe.archive.ArchiveSettings;
import dev.onepipe.archive.format.ArchiveReader;
import dev.onepipe.archive.verify.ArchiveVerifier;
import dev.onepipe.archive.verify.VerificationReport;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.runtime.health.ProgressWatch;
import dev.onepipe.core.s3.S3ClientFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code onepipe archive verify}: are all of a topic's records in its archive, each exactly once? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check an archive against its topic: per partition the offset ranges covered, gaps, duplicates and the",
            "archive's committed offset. On a compacted topic, offsets below the committed offset that are in neither S3 nor",
            "the topic are gaps. --dataset looks the dataset's topic and the archive's consumer group up in the registry."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:no gap and no duplicate (complete, with --require-complete)",
            "1:a gap or a duplicate: records are missing from the archive or in it twice",
            "2:configuration error (e.g. the dataset is not registered)",
            "3:--require-complete, and some committed records are not in S3 yet",
            "4:the archive or the topic could not be read (S3 or Kafka error): nothing was verified"})
public final class VerifyCommand implements Callable<Integer> {

    public static final int GAPS_OR_DUPLICATES = 1;
    public static final int INCOMPLETE = 3;
    public static final int UNREADABLE = 4;

    @ArgGroup(multiplicity = "1")
    ArchiveTarget target;

    @Option(names = "--require-complete",
            description = "Also exit with code 3 unless every committed record is already in S3 (none still buffered).")
    boolean requireComplete;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TopologyContext context = target.context(options);
        ArchiveSettings settings = ArchiveSettings.from(context.config());
        String topic = context.inputTopic();
        Map<String, Object> kafka = KafkaClientSettings.common(context.config());
        VerificationReport report;
        try (S3Client s3 = S3ClientFactory.create(settings.s3());
             ArchiveReader reader = new ArchiveReader(s3, settings.s3().bucket(), settings.layout());
             Admin admin = Admin.create(kafka)) {
            report = new ArchiveVerifier(reader, admin, kafka)
                    .verify(topic, "s3://" + settings.s3().bucket() + "/" + settings.layout().topicPrefix(topic), context.applicationId());
        } catch (SdkException | KafkaException | IllegalStateException e) {
            spec.commandLine().getErr().println("onepipe: cannot verify the archive of " + topic + ": " + ProgressWatch.describe(e));
            return UNREADABLE;
        }
        PrintWriter out = spec.commandLine().getOut();
        report.print(out);
        if (!report.exactlyOnce()) {
            return GAPS_OR_DUPLICATES;
        }
        return requireComplete && !report.complete() ? INCOMPLETE : 0;
    }
}
