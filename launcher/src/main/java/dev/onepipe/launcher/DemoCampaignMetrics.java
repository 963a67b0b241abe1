package dev.onepipe.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

import dev.onepipe.campaign.AdStream;
import dev.onepipe.campaign.CampaignMetrics;
import dev.onepipe.campaign.query.CampaignMetricsReport.CampaignTotals;
import dev.onepipe.campaign.CampaignMetricsSettings;
import dev.onepipe.campaign.CampaignMetricsTopology;
import dev.onepipe.campaign.DropReason;
import dev.onepipe.campaign.cli.BotBlocklist;
import dev.onepipe.campaign.query.CampaignMetricsEndpoint;
import dev.onepipe.campaign.query.CampaignMetricsReport;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.dataset.DroppedRecordMetrics;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.ApplicationLag;
import dev.onepipe.core.runtime.ServedTopology;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.testdata.AdTrafficTally;
import dev.onepipe.testdata.BotIpBlocklist;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.CampaignWindowCounts;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.kafka.clients.admin.Admin;

/**
 * The demo's campaign-metrics step: the topology runs on the sample ad streams, as {@code onepipe run campaign-metrics
 * --dataset ad-served --http-port 0} would, with the standard bot blocklist, until it has processed everything;
 * then the published dataset gives the top campaigns and the instance's HTTP endpoint answers for the first of them.
 *
 * <p>Two settings differ from a live deployment's. The demo's traffic stops, so stream time stops too and the last
 * windows never close: the step runs in {@code updates} mode, where every window's latest numbers are published,
 * rather than waiting for final results. And the demo loads all its traffic before the topology starts, so the
 * three streams are read at their own speeds, not in event-time order, and the generator's unjoinable clicks a day
 * after their serve move a join's stream time a day ahead at once: a grace period of {@value #GRACE_HOURS} hours
 * covers that disorder (a backfill needs the same), where a live stream's default is a minute. The stores keep a
 * week, so the changelogs' time-based retention keeps every record of the last days.
 */
final class DemoCampaignMetrics {

    private static final Duration COMPLETION_TIMEOUT = Duration.ofMinutes(4);
    private static final int TOP_CAMPAIGNS = 10;
    static final long GRACE_HOURS = 30;
    private static final Duration STORE_RETENTION = Duration.ofDays(7);

    /**
     * What the run produced.
     *
     * @param topCampaigns      the campaigns with the most ads served, from the published dataset
     * @param publishedWindows  campaign windows in the published dataset
     * @param matchingWindows   published campaign windows whose numbers equal the generator's tally
     * @param expectedWindows   campaign windows in the generator's tally
     * @param botDrops          events the bot filter dropped, per stream label
     * @param queriedWindows    windows of the first top campaign answered by the HTTP endpoint
     * @param queriedServed     ads served in those windows, per the HTTP endpoint
     * @param elapsed           from start to everything processed
     */
    record Result(List<CampaignTotals> topCampaigns, int publishedWindows, int matchingWindows, int expectedWindows,
                  Map<String, Long> botDrops, int queriedWindows,
                  long queriedServed, Duration elapsed) {
    }

    private DemoCampaignMetrics() {
    }

    static Result run(EmbeddedRuntime runtime, MetadataCatalog catalog, Path stateRoot, AdTrafficTally tally)
            throws InterruptedException, IOException {
        long started = System.nanoTime();
        Map<String, Object> clientConfig = new LinkedHashMap<>(runtime.clientConfig());
        BotBlocklist.publish(clientConfig, CampaignMetricsSettings.DEFAULT_BLOCKLIST_TOPIC, BotIpBlocklist.standard().entries(), true);
        CampaignMetricsTopology topology = new CampaignMetricsTopology();
        Map<String, String> settings = new LinkedHashMap<>(runtime.clientConfig());
        settings.put(TopologyRunner.STATE_ROOT, stateRoot.toString());
        settings.put(CampaignMetricsSettings.EMIT, "updates");
        settings.put(CampaignMetricsSettings.GRACE_MS, Long.toString(Duration.ofHours(GRACE_HOURS).toMillis()));
        settings.put(CampaignMetricsSettings.STORE_RETENTION_MS, Long.toString(STORE_RETENTION.toMillis()));
        settings.put("num.stream.threads", "1");
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        String servedTopic = topicOf(catalog, SampleDatasets.AD_SERVED);
        TopologyContext context = new TopologyContext(topology.name(), Optional.of(SampleDatasets.AD_SERVED), servedTopic, config, catalog);
        ServedTopology served = ServedTopology.start(topology, context, new InetSocketAddress("localhost", 0));
        try {
            TopologyRunner runner = served.runner();
            awaitProcessed(runtime, runner.context().applicationId(),
                    List.of(servedTopic, topicOf(catalog, SampleDatasets.AD_VIEWS), topicOf(catalog, SampleDatasets.AD_CLICKS)));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            List<CampaignMetrics> published = CampaignMetricsReport.latest(config, CampaignMetricsSettings.DEFAULT_OUTPUT_DATASET);
            List<CampaignTotals> top = CampaignMetricsReport.topCampaigns(published, TOP_CAMPAIGNS);
            Map<String, Long> botDrops = new LinkedHashMap<>();
            for (AdStream stream : AdStream.values()) {
                botDrops.put(stream.label(), DroppedRecordMetrics.total(runner.streams().metrics(), stream.label(), DropReason.BOT_IP.metricName()));
            }
            List<CampaignMetrics> queried = top.isEmpty() ? List.of() : query(served.port(), top.get(0).campaignId());
            SortedMap<CampaignWindow, CampaignWindowCounts> expected = tally.windowCounts();
            int matching = (int) published.stream()
                    .filter(window -> expected.getOrDefault(new CampaignWindow(window.campaignId(), window.windowStart()), CampaignWindowCounts.EMPTY)
                            .equals(new CampaignWindowCounts(window.adsServed(), window.views(), window.clicks(), window.distinctUsers())))
                    .count();
            return new Result(top, published.size(), matching, expected.size(), botDrops, queried.size(),
                    queried.stream().mapToLong(CampaignMetrics::adsServed).sum(), elapsed);
        } finally {
            served.close(Duration.ofSeconds(30));
        }
    }

    private static String topicOf(MetadataCatalog catalog, String dataset) {
        return catalog.dataset(dataset).orElseThrow().metadata().topic();
    }

    private static void awaitProcessed(EmbeddedRuntime runtime, String applicationId, List<String> inputTopics) throws InterruptedException {
        long deadline = System.nanoTime() + COMPLETION_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()))) {
            long lag;
            while ((lag = ApplicationLag.total(admin, applicationId, inputTopics)) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(applicationId + " still has " + lag + " records to process after "
                            + COMPLETION_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(500);
            }
        }
    }

    private static List<CampaignMetrics> query(int port, String campaignId) throws IOException, InterruptedException {
        URI uri = URI.create("http://localhost:" + port + CampaignMetricsEndpoint.path(campaignId));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return CampaignMetricsEndpoint.parse(response.body());
    }
}
