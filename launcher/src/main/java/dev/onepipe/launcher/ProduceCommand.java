package dev.onepipe.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.core.cli.ReadableFile;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.launcher.GeneratedTrafficPublisher.Published;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataTopic;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.producer.JsonConversionException;
import dev.onepipe.metadata.serde.WireFormatException;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code onepipe produce --dataset <name> --json <file|->}: publishes JSON lines to a registered dataset through
 * {@link DatasetProducer}, so each line is validated against the dataset's schema before it is sent. Prints one line
 * per failed record (its line number and why), progress on stderr for large inputs, and a summary.
 *
 * <p>{@code --generate <count>} publishes the sample generators' records instead (duplicates, late events, bot
 * traffic and deliberately corrupt bytes included, as the knobs say).
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Publish JSON lines to a registered dataset: validated against its latest schema, keyed by its unique key.",
            "Prints one line per failed record and a summary (records sent, failed, lines read, blank lines skipped); exits 1 if any record failed.",
            "With --generate, publish seeded sample traffic instead (widgets, ad-served with its views/clicks/campaigns, ysb-events)."})
final class ProduceCommand implements Callable<Integer> {

    static final int SOME_FAILED = 1;
    private static final String STANDARD_INPUT = "-";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    @Option(names = "--dataset", required = true, paramLabel = "<name>", description = "Registered dataset to publish to.")
    String dataset;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--json", paramLabel = "<file|->", converter = ReadableFile.OrStandardInput.class,
                description = "JSON lines, one record per line; '-' reads standard input. A missing or unreadable file is a usage error (exit 2).")
        String input;

        @Option(names = "--generate", paramLabel = "<count>",
                description = "Publish this many generated records (ad traffic: ads served) instead of JSON.")
        Long generate;
    }

    @Mixin
    SampleTraffic sampleTraffic;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        final RegistryClientSettings settings = RegistryClientSettings.from(options);
        try (Admin admin = Admin.create(settings.clientConfig())) {
            MetadataTopic.ensureExists(admin, settings.metadataTopic());
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (source.generate != null) {
            return publishGenerated(settings, out);
        }
        final String input = source.input;
        final long total = STANDARD_INPUT.equals(input) ? 0 : countLines(Path.of(input));
        final ProgressLine progress = new ProgressLine(System.err, "producing " + dataset, total);
        final AtomicLong sent = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        long lines = 0;
        long blank = 0;
        try (DatasetProducer producer = DatasetProducer.connect(settings.clientConfig(), settings.metadataTopic(), READY_TIMEOUT);
             BufferedReader reader = open(input)) {
            requireTopics(settings, producer.catalog(), List.of(dataset));
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                if (line.isBlank()) {
                    blank++;
                    continue;
                }
                final long lineNumber = lines;
                try {
                    producer.sendJson(dataset, line, (metadata, exception) -> {
                        if (exception == null) {
                            sent.incrementAndGet();
                        } else {
                            failure(out, failed, lineNumber, "not sent: " + exception.getMessage());
                        }
                    });
                } catch (final JsonConversionException | WireFormatException exception) {
                    failure(out, failed, lineNumber, exception.getMessage());
                }
                progress.update(lines);
            }
            producer.flush();
        }
        progress.finish(lines);
        out.printf("produced %d record(s) to dataset %s, %d failed, %d line(s) read, %d blank line(s) skipped%n",
            sent.get(), dataset, failed.get(), lines, blank);
        out.flush();
        return failed.get() == 0 ? 0 : SOME_FAILED;
    }

    private static void failure(final PrintWriter out, final AtomicLong failed, final long lineNumber, final String reason) {
        failed.incrementAndGet();
        synchronized (out) {
            out.println("line " + lineNumber + ": " + reason);
        }
    }

    private int publishGenerated(final RegistryClientSettings settings, final PrintWriter out) {
        final MetadataCatalog catalog = RegisteredDatasets.load(options.config(Map.of()));
        requireTopics(settings, catalog, SampleTraffic.datasetsWritten(dataset));
        final Map<String, Published> published;
        try (GeneratedTrafficPublisher publisher = new GeneratedTrafficPublisher(settings.clientConfig(), catalog)) {
            published = publisher.publish(sampleTraffic.generate(dataset, source.generate), -1,
                new ProgressLine(System.err, "producing generated " + dataset, -1));
        }
        published.values().forEach(result -> out.printf("produced %d record(s) to dataset %s (%d of them corrupt on purpose)%n",
            result.total(), result.dataset(), result.corrupt()));
        out.flush();
        return 0;
    }

    /**
     * Each dataset registered and its topic present: a producer would otherwise wait a minute for a missing topic's
     * metadata and then fail with Kafka's own words.
     */
    private static void requireTopics(final RegistryClientSettings settings, final MetadataCatalog catalog, final List<String> datasets) {
        final Set<String> topics;
        try (Admin admin = Admin.create(settings.clientConfig())) {
            topics = admin.listTopics().names().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list the topics of " + settings.clientConfig().get(OnepipeConfig.BOOTSTRAP_SERVERS)
                + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while listing topics", e);
        }
        for (final String name : datasets) {
            final String topic = RegisteredDatasets.require(catalog, name).topic();
            if (!topics.contains(topic)) {
                throw new IllegalArgumentException("Topic '" + topic + "' of dataset '" + name + "' does not exist on "
                    + settings.clientConfig().get(OnepipeConfig.BOOTSTRAP_SERVERS) + "; register the dataset with onepipe metadata register"
                    + " --metadata <file.json> (it creates the topic and its dead-letter topic from the metadata's topicSettings)");
            }
        }
    }

    private static BufferedReader open(final String input) throws IOException {
        return STANDARD_INPUT.equals(input)
            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8);
    }

    private static long countLines(final Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }
}
