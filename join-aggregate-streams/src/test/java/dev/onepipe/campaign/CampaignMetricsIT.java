package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.onepipe.campaign.cli.BotBlocklist;
import dev.onepipe.campaign.cli.CampaignMetricsCommand;
import dev.onepipe.campaign.query.CampaignMetricsEndpoint;
import dev.onepipe.campaign.query.CampaignMetricsReport;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.ApplicationLag;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.AdTrafficGenerator;
import dev.onepipe.testdata.AdTrafficGeneratorConfig;
import dev.onepipe.testdata.AdTrafficTally;
import dev.onepipe.testdata.BotIpBlocklist;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.CampaignWindowCounts;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * Two instances of campaign-metrics on a real broker over 200,000 generated ad events in 4 partitions; one instance
 * stops (leaving the group) a third of the way through. The final metrics of every campaign window equal the
 * generator's tally exactly, every unjoined view and click is on the unjoined topic under the tally's reason, nothing
 * is late, and the surviving instance answers the HTTP query with the same numbers.
 *
 * <p>The grace period covers every possible disorder of the data (its whole event-time span, unjoinable clicks a day
 * later included): with two instances and a hand-over, one partition can run far ahead of another, and only a grace
 * that wide makes "nothing is late" true by construction rather than by luck.
 */
class CampaignMetricsIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 4;
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final Duration GRACE = Duration.ofHours(30);
    private static final List<String> INPUTS = List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS);
    private static final String FLUSH_CAMPAIGN_PREFIX = "zz-flush-";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    /**
     * Event times a few days back, so that everything the test writes, the closing records included, is in the past
     * (the broker refuses timestamps more than an hour ahead) and well inside the changelogs' time-based retention.
     * With event times years old, the broker deletes window-store changelog segments by their record timestamps, and a
     * task that restores after that restores without them.
     */
    private static final Instant START = Instant.now().minus(Duration.ofDays(5)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);

    /** Under the build folder, not the shared temp folder: state folders must outlive anything that tidies /tmp. */
    private final Path stateRoot = Path.of("target", "it-state", java.util.UUID.randomUUID().toString()).toAbsolutePath();

    @AfterEach
    void removeState() throws Exception {
        if (Files.exists(stateRoot)) {
            try (var paths = Files.walk(stateRoot)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void twoInstancesComputeTheTallyExactlyAlsoWhenOneStopsMidRun() throws Exception {
        AdTrafficGenerator generator = new AdTrafficGenerator(AdTrafficGeneratorConfig.builder()
                .seed(42).servedCount(125_000).lateRate(0).gracePeriodMillis(GRACE.toMillis()).startTimeMillis(START.toEpochMilli()).build());
        List<GeneratedRecord> records = generator.generateAll();
        AdTrafficTally tally = generator.tally();
        Map<String, Object> clientConfig = new HashMap<>(RUNTIME.runtime().clientConfig());
        for (String topic : List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS)) {
            RUNTIME.createTopic(topic, PARTITIONS);
        }
        MetadataCatalog catalog = register(clientConfig);
        BotBlocklist.publish(clientConfig, CampaignMetricsSettings.DEFAULT_BLOCKLIST_TOPIC, BotIpBlocklist.standard().entries(), true);
        long maxEventTime = produce(clientConfig, catalog, generator.campaignRecords(), records);
        long total = records.size();

        CampaignMetricsInstance first = start("a");
        CampaignMetricsInstance second = start("b");
        String applicationId = first.runner().applicationId();
        awaitTrue(() -> committedInput(applicationId) >= total / 3, "a third of the input processed");
        second.runner().streams().close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(60)));
        awaitTrue(() -> committedInput(applicationId) >= total, "the whole input processed by the remaining instance");
        awaitDrained(applicationId);
        closeAllWindows(clientConfig, catalog, maxEventTime);

        SortedMap<CampaignWindow, CampaignWindowCounts> expected = tally.windowCounts();
        awaitTrue(() -> published(clientConfig).size() >= expected.size(), "a final result for every campaign window");
        SortedMap<CampaignWindow, CampaignWindowCounts> actual = counts(published(clientConfig));
        assertEquals(List.of(), CampaignMetricsTallyTest.differences(expected, actual));

        assertEquals(expectedUnjoined(tally), unjoined());
        assertEquals(0, countRecords("campaign-metrics-late"), "nothing is late");

        String campaign = AdTrafficGenerator.campaignId(0);
        SortedMap<CampaignWindow, CampaignWindowCounts> expectedForCampaign = new TreeMap<>(expected.subMap(
                new CampaignWindow(campaign, Long.MIN_VALUE), new CampaignWindow(campaign, Long.MAX_VALUE)));
        List<CampaignMetrics> queried = CampaignMetricsEndpoint.parse(http(first.url() + CampaignMetricsEndpoint.path(campaign)));
        assertEquals(expectedForCampaign, counts(queried));

        StringWriter shown = new StringWriter();
        CommandLine show = new CommandLine(new CampaignMetricsCommand()).setOut(new PrintWriter(shown));
        assertEquals(0, show.execute("show", campaign, "--url", first.url()));
        assertTrue(shown.toString().startsWith(campaign + ": " + expectedForCampaign.size() + " window(s)"), shown.toString());
        StringWriter shownFromTopic = new StringWriter();
        assertEquals(0, new CommandLine(new CampaignMetricsCommand()).setOut(new PrintWriter(shownFromTopic))
                .execute("show", campaign, "--bootstrap-servers", RUNTIME.bootstrapServers()));
        assertEquals(shown.toString(), shownFromTopic.toString(), "the live store and the published topic agree once every window closed");

        List<CampaignMetricsReport.CampaignTotals> top = CampaignMetricsReport.topCampaigns(published(clientConfig), 3);
        Map<String, Long> servedByCampaign = new TreeMap<>();
        expected.forEach((window, counts) -> servedByCampaign.merge(window.campaignId(), counts.served(), Long::sum));
        assertEquals(campaign, top.get(0).campaignId(), "the hot campaign serves the most ads");
        top.forEach(totals -> assertEquals(servedByCampaign.get(totals.campaignId()), totals.adsServed(), totals.campaignId()));
        first.close();
    }

    private CampaignMetricsInstance start(String name) {
        Map<String, String> flags = new HashMap<>();
        flags.put("bootstrap.servers", RUNTIME.bootstrapServers());
        flags.put(TopologyRunner.STATE_ROOT, stateRoot.resolve(name).toString());
        flags.put(CampaignMetricsSettings.GRACE_MS, Long.toString(GRACE.toMillis()));
        flags.put(CampaignMetricsSettings.WINDOW_SIZE_MS, Long.toString(WINDOW.toMillis()));
        flags.put(CampaignMetricsSettings.STORE_RETENTION_MS, Long.toString(Duration.ofDays(7).toMillis()));
        flags.put(StreamsConfig.WINDOW_STORE_CHANGE_LOG_ADDITIONAL_RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()));
        OnepipeConfig config = TopologyRunner.configure(new CampaignMetricsTopology(), Map.of(), Map.of(), flags);
        TopologyContext context = new TopologyContext(CampaignMetricsTopology.NAME, Optional.of(SampleDatasets.AD_SERVED),
                SampleDatasets.AD_SERVED, config, RegisteredDatasets.load(config));
        return CampaignMetricsInstance.start(context);
    }

    /** Registers the sample ad datasets in one request, so they are planned together. */
    private static MetadataCatalog register(Map<String, Object> clientConfig) {
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig)) {
            List<RegistrationRequest> requests = new ArrayList<>();
            for (String dataset : List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS)) {
                requests.add(RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(dataset)), SampleDatasets.schema(dataset)));
            }
            registry.registerAll(requests).forEach(result -> assertTrue(result.accepted(), result.summary()));
            // the registry reads what is committed; its own last commit may take a moment to become readable
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            MetadataCatalog catalog = registry.catalog();
            while (catalog.dataset(SampleDatasets.CAMPAIGNS).isEmpty() && System.nanoTime() < deadline) {
                catalog = registry.catalog();
            }
            return catalog;
        }
    }

    /** Sends every record as a producer of onepipe would (wire format, keyed by the unique key) and corrupt ones as is. */
    private static long produce(Map<String, Object> clientConfig, MetadataCatalog catalog, List<GeneratedRecord> campaigns,
                                List<GeneratedRecord> records) {
        long maxEventTime = Long.MIN_VALUE;
        try (KafkaProducer<byte[], byte[]> producer = producer(clientConfig)) {
            Map<String, Serializer<GenericRecord>> serializers = new HashMap<>();
            List<GeneratedRecord> all = new ArrayList<>(campaigns);
            all.addAll(records);
            for (GeneratedRecord record : all) {
                byte[] value = record.isCorrupt()
                        ? record.corruptBytes(catalog.latestSchemaForDataset(record.dataset()).orElseThrow().id())
                        : serializers.computeIfAbsent(record.dataset(), dataset -> DatasetSerdes.generic(catalog, dataset).serializer())
                                .serialize(record.dataset(), record.value());
                producer.send(new ProducerRecord<>(record.dataset(), null, record.timestampMillis(),
                        record.key().getBytes(StandardCharsets.UTF_8), value));
                maxEventTime = Math.max(maxEventTime, record.timestampMillis());
            }
        }
        return maxEventTime;
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Stream time only moves with records: a serve, view and click of a campaign of its own on every partition of every
     * topic the topology reads or writes in between, far enough ahead that every window has closed and the joins have
     * given up on every unmatched event (twice the join grace). Three rounds, two seconds apart, since emit-final and
     * the joins check at most once a second of wall-clock time; each round only a minute after the one before, so
     * whatever order the partitions deliver them in, none makes another late.
     */
    private static void closeAllWindows(Map<String, Object> clientConfig, MetadataCatalog catalog, long maxEventTime) throws Exception {
        long closingTime = maxEventTime + 2 * (WINDOW.toMillis() + GRACE.toMillis()) + 1;
        for (int round = 1; round <= 3; round++) {
            List<GeneratedRecord> flush = new ArrayList<>();
            Instant at = Instant.ofEpochMilli(closingTime + (round - 1) * WINDOW.toMillis());
            Map<String, Set<Integer>> partitionsReached = new TreeMap<>();
            for (int index = 0; index < 32; index++) {
                String prefix = "flush-" + round + "-";
                String adId = prefix + "ad-" + index;
                String campaignId = FLUSH_CAMPAIGN_PREFIX + index;
                List<GeneratedRecord> events = List.of(AdRecords.served(prefix + "served-" + index, adId, campaignId, at),
                        AdRecords.view(prefix + "view-" + index, adId, at), AdRecords.click(prefix + "click-" + index, adId, at));
                flush.addAll(events);
                events.forEach(event -> partitionsReached.computeIfAbsent(event.dataset(), topic -> new HashSet<>()).add(partitionOf(event.key())));
                partitionsReached.computeIfAbsent("by ad", key -> new HashSet<>()).add(partitionOf(adId));
                partitionsReached.computeIfAbsent("by campaign", key -> new HashSet<>()).add(partitionOf(campaignId));
            }
            partitionsReached.forEach((keys, partitions) -> assertEquals(PARTITIONS, partitions.size(), "flush records reach every partition " + keys));
            produce(clientConfig, catalog, List.of(), flush);
            TimeUnit.SECONDS.sleep(2);
        }
    }

    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /**
     * Waits until the application has consumed everything in its input and repartition topics: each partition's
     * committed offset has reached its last stable offset. Committed offsets are read before the end offsets, so a
     * write made by the last commit counts against the end it produced.
     */
    private static void awaitDrained(String applicationId) throws InterruptedException {
        awaitTrue(() -> {
            try {
                return ApplicationLag.total(RUNTIME.admin(), applicationId, INPUTS) == 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (RuntimeException e) {
                return false;
            }
        }, "the input and repartition topics consumed to their end");
    }

    private static long committedInput(String applicationId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = RUNTIME.admin().listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream()
                    .filter(entry -> INPUTS.contains(entry.getKey().topic()) && entry.getValue() != null)
                    .mapToLong(entry -> entry.getValue().offset())
                    .sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private static List<CampaignMetrics> published(Map<String, Object> clientConfig) {
        MetadataCatalog catalog = RegisteredDatasets.load(OnepipeConfig.of(Map.of("bootstrap.servers", RUNTIME.bootstrapServers())));
        return CampaignMetricsReport.latest(clientConfig, catalog, CampaignMetricsSettings.DEFAULT_OUTPUT_DATASET,
                        CampaignMetricsSettings.DEFAULT_OUTPUT_DATASET).stream()
                .filter(metrics -> !metrics.campaignId().startsWith(FLUSH_CAMPAIGN_PREFIX))
                .toList();
    }

    private static SortedMap<CampaignWindow, CampaignWindowCounts> counts(List<CampaignMetrics> metrics) {
        SortedMap<CampaignWindow, CampaignWindowCounts> counts = new TreeMap<>();
        metrics.forEach(result -> counts.put(new CampaignWindow(result.campaignId(), result.windowStart()),
                new CampaignWindowCounts(result.adsServed(), result.views(), result.clicks(), result.distinctUsers())));
        return counts;
    }

    private static Map<String, Long> expectedUnjoined(AdTrafficTally tally) {
        Map<String, Long> expected = new TreeMap<>();
        for (String dataset : List.of(SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS)) {
            String stream = dataset.equals(SampleDatasets.AD_VIEWS) ? AdStream.VIEWS.label() : AdStream.CLICKS.label();
            expected.put(stream + " NO_MATCHING_SERVE", tally.droppedCount(dataset, dev.onepipe.testdata.DropReason.NO_MATCHING_SERVE));
            expected.put(stream + " OUTSIDE_JOIN_WINDOW", tally.droppedCount(dataset, dev.onepipe.testdata.DropReason.OUTSIDE_JOIN_WINDOW));
        }
        return expected;
    }

    private static Map<String, Long> unjoined() {
        Map<String, Long> counts = new TreeMap<>();
        for (String stream : List.of(AdStream.VIEWS.label(), AdStream.CLICKS.label())) {
            counts.put(stream + " NO_MATCHING_SERVE", 0L);
            counts.put(stream + " OUTSIDE_JOIN_WINDOW", 0L);
        }
        TopicRecords.readAll(RUNTIME.bootstrapServers(), "campaign-metrics-unjoined").forEach(json -> {
            Map<String, Object> event = RoutedEvents.read(json);
            counts.merge(event.get("stream") + " " + event.get("reason"), 1L, Long::sum);
        });
        return counts;
    }

    private static long countRecords(String topic) {
        return TopicRecords.readAll(RUNTIME.bootstrapServers(), topic).size();
    }

    private static String http(String url) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
        java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }
}
