package dev.onepipe.launcher;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.onepipe.campaign.CampaignMetricsSettings;
import dev.onepipe.campaign.query.CampaignMetricsReport;
import dev.onepipe.core.OnepipeTopologies;
import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.launcher.GeneratedTrafficPublisher.Published;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.reconciliation.DatasetReconciliation;
import dev.onepipe.testdata.AdTrafficGenerator;
import dev.onepipe.testdata.AdTrafficGeneratorConfig;
import dev.onepipe.testdata.AdTrafficTally;
import dev.onepipe.testdata.DropReason;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.WidgetGenerator;
import dev.onepipe.testdata.WidgetGeneratorConfig;
import dev.onepipe.testdata.WidgetTally;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onepipe demo}: the whole pipeline on the embedded default. Starts a real broker and S3 endpoint,
 * registers the sample datasets, publishes generated traffic (duplicates, late and out-of-order events, bot
 * traffic, corrupt records), archives every dataset to S3 and verifies the archive, computes the ad campaign
 * metrics and prints the top campaigns, then summarises what happened.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on an embedded Kafka broker and S3 endpoint with generated sample data,",
            "then print a summary. Needs nothing but a JDK."})
final class DemoCommand implements Callable<Integer> {

    static final List<String> DATASETS = List.of(SampleDatasets.WIDGETS, SampleDatasets.CAMPAIGNS,
            SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS);

    @Option(names = "--records", defaultValue = "20000", paramLabel = "<count>",
            description = "Widget changes to generate; ad traffic is generated at a quarter of that many ads served (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--partitions", defaultValue = "4", paramLabel = "<count>",
            description = "Partitions of each sample topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "<seed>",
            description = "Seed of the generators: the same seed gives the same traffic, with event times from midnight UTC two days ago (default: ${DEFAULT-VALUE}).")
    long seed;

    private final PrintStream out = System.out;
    private final List<String> summary = new ArrayList<>();
    private AdTrafficTally adTrafficTally;
    private WidgetTally widgetTally;

    @Override
    public Integer call() throws Exception {
        out.println("onepipe demo: starting an embedded Kafka broker (KRaft) and S3 endpoint...");
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start()) {
            out.printf(Locale.ROOT, "  ready in %,d ms: Kafka at %s, S3 at %s (bucket %s)%n", runtime.startupTime().toMillis(),
                    runtime.bootstrapServers(), runtime.s3Settings().endpoint().orElseThrow(), runtime.bucket());
            summary.add(String.format(Locale.ROOT, "Embedded runtime started in %,d ms (Kafka %s, S3 %s)", runtime.startupTime().toMillis(),
                    runtime.bootstrapServers(), runtime.s3Settings().endpoint().orElseThrow()));
            Map<String, Object> clientConfig = Map.of("bootstrap.servers", runtime.bootstrapServers());
            MetadataCatalog catalog = registerSampleDatasets(clientConfig);
            createTopics(runtime, catalog);
            Map<String, Long> published = publishSampleTraffic(runtime, clientConfig, catalog);
            Path stateRoot = Files.createTempDirectory("onepipe-demo-state");
            archiveSampleDatasets(runtime, catalog, published, stateRoot);
            dedupWidgets(runtime, stateRoot);
            computeCampaignMetrics(runtime, catalog, stateRoot);
            String reconciliation = reconcileSampleDatasets(runtime, stateRoot);
            listTopologies();
            out.println();
            out.println("Summary");
            summary.forEach(line -> out.println("  " + line));
            out.println();
            out.println("Reconciliation (onepipe reconcile --dataset <name> --all, every sample dataset)");
            out.print(reconciliation);
        }
        return 0;
    }

    /**
     * One {@code onepipe reconcile} pass per sample dataset: topic against raw archive, and clean topic against clean
     * table where dedup ran. Returns the tables, printed last; adds a line per dataset to the summary.
     */
    private String reconcileSampleDatasets(EmbeddedRuntime runtime, Path stateRoot) {
        out.println("Reconciling every sample dataset (topic <-> raw archive, clean topic <-> clean table)...");
        Map<String, String> settings = new LinkedHashMap<>(runtime.clientConfig());
        // Where dedup's default Iceberg catalog lives (jdbc:sqlite under the state root), as DemoDedup ran it.
        settings.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        OnepipeConfig config = OnepipeConfig.of(settings);
        StringWriter tables = new StringWriter();
        PrintWriter printer = new PrintWriter(tables, true);
        for (String dataset : DATASETS) {
            DatasetReconciliation.Request request = new DatasetReconciliation.Request(Optional.of(dataset), Optional.empty(), Optional.empty(),
                    Optional.empty(), 20, true);
            DatasetReconciliation.Result result = DatasetReconciliation.run(config, request, printer, null);
            printer.println();
            summary.add(String.format(Locale.ROOT, "Reconcile %-10s %,4d raw buckets %s%s", dataset, result.raw().size(), counts(result.raw().stream()
                    .map(verdict -> verdict.status().label()).toList()), result.clean().isEmpty() ? ""
                    : String.format(Locale.ROOT, "; %,d clean days %s", result.clean().size(),
                            counts(result.clean().stream().map(verdict -> verdict.status().label()).toList())))
                    + (result.rawMerged().isEmpty() ? "" : String.format(Locale.ROOT, "; raw merged state vs clean table, declared checks included: %,d days %s",
                            result.rawMerged().size(), counts(result.rawMerged().stream().map(verdict -> verdict.status().label()).toList()))));
        }
        return tables.toString();
    }

    private static String counts(List<String> statuses) {
        Map<String, Long> counts = new TreeMap<>();
        statuses.forEach(status -> counts.merge(status, 1L, Long::sum));
        return counts.toString();
    }

    private MetadataCatalog registerSampleDatasets(Map<String, Object> clientConfig) {
        out.println("Registering the sample datasets in the metadata topic...");
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig)) {
            List<RegistrationRequest> requests = DATASETS.stream()
                    .map(name -> RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(name)), SampleDatasets.schema(name)))
                    .toList();
            List<String> registered = new ArrayList<>();
            for (RegistrationResult result : registry.registerAll(requests)) {
                if (!result.accepted()) {
                    throw new IllegalStateException("Registering " + result.request().datasetName().orElse("?") + " was rejected: "
                            + String.join("; ", result.reasons()));
                }
                registered.add(result.datasetVersion().map(dataset -> dataset.name()).orElse("?")
                        + result.schemaVersion().map(schema -> " (schema id " + schema.id() + ")").orElse(""));
            }
            summary.add("Registered " + registered.size() + " datasets: " + String.join(", ", registered));
            return registry.catalog().copy();
        }
    }

    private void createTopics(EmbeddedRuntime runtime, MetadataCatalog catalog) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()))) {
            List<NewTopic> topics = DATASETS.stream()
                    .map(name -> new NewTopic(catalog.dataset(name).orElseThrow(() -> new IllegalStateException(
                            "Dataset " + name + " is missing from the registry, which holds " + catalog.datasetNames()
                                    + " and subjects " + catalog.subjects())).metadata().topic(), partitions, (short) 1))
                    .toList();
            admin.createTopics(topics).all().get();
            PartitionLeaders.await(admin, topics.stream().map(NewTopic::name).toList());
        }
    }

    private void archiveSampleDatasets(EmbeddedRuntime runtime, MetadataCatalog catalog, Map<String, Long> published, Path stateRoot)
            throws Exception {
        out.println("Archiving every sample dataset to S3 (archive topology, one instance per dataset)...");
        long started = System.nanoTime();
        List<DemoArchive.ArchivedDataset> archived = DemoArchive.archive(runtime, catalog, published, stateRoot);
        long objects = archived.stream().mapToLong(dataset -> dataset.objectKeys().size()).sum();
        summary.add(String.format(Locale.ROOT, "Archive: %,d objects in s3://%s/raw/ in %.1f s; 'archive verify': %s",
                objects, runtime.bucket(), (System.nanoTime() - started) / 1e9,
                archived.stream().allMatch(DemoArchive.ArchivedDataset::exactlyOnce) ? "every offset exactly once" : "GAPS OR DUPLICATES"));
        for (DemoArchive.ArchivedDataset dataset : archived) {
            summary.add(String.format(Locale.ROOT, "  %-10s %,7d records in %,3d objects, e.g. %s", dataset.dataset(), dataset.records(),
                    dataset.objectKeys().size(), dataset.objectKeys().get(0)));
        }
    }

    private void dedupWidgets(EmbeddedRuntime runtime, Path stateRoot) throws Exception {
        out.println("Deduplicating the widgets (dedup topology: merge by version into widgets-clean)...");
        DemoDedup.Result result = DemoDedup.run(runtime, stateRoot, widgetTally);
        long versionsMerged = widgetTally.firstSendCount() - widgetTally.distinctKeyCount();
        summary.add(String.format(Locale.ROOT, "Dedup: %,d raw widget records -> %,d clean rows in 'widgets-clean' (%,d records, one per change) in %.1f s;"
                        + " merged away %,d exact re-sends and %,d older versions", widgetTally.recordCount(), result.cleanRows(), result.cleanRecords(),
                result.elapsed().toMillis() / 1e3, widgetTally.duplicateCount(), versionsMerged));
        summary.add(String.format(Locale.ROOT, "  clean rows equal to the generator's tally: %,d of %,d%s", result.matchingRows(), result.expectedRows(),
                result.matchingRows() == result.expectedRows() && result.cleanRows() == result.expectedRows() ? " (all)" : " (MISMATCH)"));
    }

    private void computeCampaignMetrics(EmbeddedRuntime runtime, MetadataCatalog catalog, Path stateRoot) throws Exception {
        out.println("Computing ad campaign metrics (campaign-metrics topology: bot filter, joins, per-minute windows)...");
        DemoCampaignMetrics.Result result = DemoCampaignMetrics.run(runtime, catalog, stateRoot, adTrafficTally);
        List<String> botDrops = new ArrayList<>();
        result.botDrops().forEach((stream, dropped) -> botDrops.add(String.format(Locale.ROOT, "%s %,d", stream, dropped)));
        long botEvents = Stream.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS)
                .mapToLong(stream -> adTrafficTally.droppedCount(stream, DropReason.BOT_IP)).sum();
        summary.add(String.format(Locale.ROOT, "Campaign metrics: %,d campaign windows published to '%s' in %.1f s (updates mode, grace %d h); "
                        + "%,d of the generator's %,d windows match its tally exactly", result.publishedWindows(),
                CampaignMetricsSettings.DEFAULT_OUTPUT_DATASET, result.elapsed().toMillis() / 1e3, DemoCampaignMetrics.GRACE_HOURS,
                result.matchingWindows(), result.expectedWindows()));
        summary.add(String.format(Locale.ROOT, "  bot filter dropped %s (generator sent %,d from bot IPs)", String.join(", ", botDrops), botEvents));
        if (!result.topCampaigns().isEmpty()) {
            CampaignMetricsReport.CampaignTotals first = result.topCampaigns().get(0);
            summary.add(String.format(Locale.ROOT, "  GET /campaigns/%s/metrics on the running instance: %,d windows, %,d ads served (published: %,d, %,d)",
                    first.campaignId(), result.queriedWindows(), result.queriedServed(), first.windows(), first.adsServed()));
        }
        summary.add("  Top campaigns by ads served:");
        CampaignMetricsReport.topCampaignsTable(result.topCampaigns()).lines().forEach(line -> summary.add("    " + line));
    }

    private Map<String, Long> publishSampleTraffic(EmbeddedRuntime runtime, Map<String, Object> clientConfig, MetadataCatalog catalog) {
        long start = SampleTraffic.defaultStart().toEpochMilli();
        WidgetGenerator widgets = new WidgetGenerator(WidgetGeneratorConfig.builder().seed(seed).recordCount(records).startTimeMillis(start).build());
        AdTrafficGenerator adTraffic = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder().seed(seed)
                .servedCount(Math.max(1, records / 4)).startTimeMillis(start).build());
        Iterator<GeneratedRecord> traffic = SampleTraffic.concatenate(widgets, adTraffic.campaignRecords().iterator(), adTraffic);
        Map<String, Published> published;
        try (GeneratedTrafficPublisher publisher = new GeneratedTrafficPublisher(clientConfig, catalog)) {
            published = publisher.publish(traffic, -1, new ProgressLine(out, "publishing sample traffic", -1));
        }
        for (Published dataset : published.values()) {
            String topic = catalog.dataset(dataset.dataset()).orElseThrow().metadata().topic();
            long stored = countRecords(runtime, topic);
            if (stored != dataset.total()) {
                throw new IllegalStateException("Published " + dataset.total() + " records to " + topic + " but it holds " + stored);
            }
            summary.add(String.format(Locale.ROOT, "Published %,7d records to %-10s (%,d corrupt on purpose); %,d read back",
                    dataset.total(), dataset.dataset(), dataset.corrupt(), stored));
        }
        adTrafficTally = adTraffic.tally();
        widgetTally = widgets.tally();
        long botEvents = Stream.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS)
                .mapToLong(stream -> adTrafficTally.droppedCount(stream, DropReason.BOT_IP)).sum();
        Map<String, Long> totals = new LinkedHashMap<>();
        published.values().forEach(dataset -> totals.put(dataset.dataset(), dataset.total()));
        summary.add(String.format(Locale.ROOT, "Generated on purpose: widgets %,d duplicates, %,d out of order, %,d late; ads %,d from bot IPs",
                widgets.tally().duplicateCount(), widgets.tally().outOfOrderCount(), widgets.tally().lateCount(), botEvents));
        return totals;
    }

    private static long countRecords(EmbeddedRuntime runtime, String topic) {
        Map<String, Object> consumerConfig = Map.of(
                "bootstrap.servers", runtime.bootstrapServers(),
                "key.deserializer", ByteArrayDeserializer.class,
                "value.deserializer", ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private void listTopologies() {
        List<OnepipeTopology> topologies = OnepipeTopologies.all();
        if (topologies.isEmpty()) {
            summary.add("Topologies: none in this build yet");
            return;
        }
        summary.add("Topologies in this build: " + String.join(", ", topologies.stream().map(OnepipeTopology::name).toList()));
    }
}
