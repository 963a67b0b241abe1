package dev.onepipe.archive;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.s3.S3ClientFactory;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code onepipe archive verify}: are all of a topic's records in its archive, each exactly once? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check an archive against its topic: per partition the offset ranges covered, gaps, duplicates and the",
            "archive's committed offset. Exit code 1 on any gap or duplicate."})
final class VerifyCommand implements Callable<Integer> {

    static final int GAPS_OR_DUPLICATES = 1;
    static final int INCOMPLETE = 3;

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
        try (S3Client s3 = S3ClientFactory.create(settings.s3());
             ArchiveReader reader = new ArchiveReader(s3, settings.s3().bucket(), settings.layout());
             Admin admin = Admin.create(kafka)) {
            VerificationReport report = new ArchiveVerifier(reader, admin, kafka)
                    .verify(topic, "s3://" + settings.s3().bucket() + "/" + settings.layout().topicPrefix(topic), context.applicationId());
            PrintWriter out = spec.commandLine().getOut();
            report.print(out);
            if (!report.exactlyOnce()) {
                return GAPS_OR_DUPLICATES;
            }
            return requireComplete && !report.complete() ? INCOMPLETE : 0;
        }
    }
}
