package dev.onepipe.campaign;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;

/**
 * The settings of the campaign-metrics topology, read once from the layered configuration.
 *
 * @param servedDataset   the dataset the topology runs for ({@code --dataset}), normally {@code ad-served}
 * @param servedTopic     its topic
 * @param viewsDataset    views of served ads
 * @param clicksDataset   clicks on served ads
 * @param campaignsDataset reference data that names the campaigns in the output; empty to leave names out
 * @param blocklistTopic  compacted topic of bot addresses and CIDR blocks (key = entry, any non-null value)
 * @param outputDataset   the registered dataset the metrics are written to
 * @param lateTopic       where events that arrive after their window closed go, with the reason
 * @param unjoinedTopic   where views and clicks that never join a serve go, with the reason
 * @param windowSize      tumbling window size
 * @param grace           how long after its end a window still accepts events
 * @param viewJoinWindow  a view counts when it comes at most this long after its serve
 * @param clickJoinWindow a click counts when it comes at most this long after its serve
 * @param dedupWindow     how long event ids are remembered to drop re-sends
 * @param storeRetention  how long window results stay in the queryable store
 * @param emit            final results once a window closes, or every update
 * @param saltedHotKeys   whether to aggregate in two stages over salted campaign keys
 * @param salts           how many salts a campaign is spread over in the two-stage aggregation
 * @param provision       whether the topology creates its topics and registers its output dataset when it starts
 */
public record CampaignMetricsSettings(String servedDataset, String servedTopic, String viewsDataset, String clicksDataset,
                                      String campaignsDataset, String blocklistTopic, String outputDataset, String lateTopic,
                                      String unjoinedTopic, Duration windowSize, Duration grace, Duration viewJoinWindow,
                                      Duration clickJoinWindow, Duration dedupWindow, Duration storeRetention, EmitMode emit, boolean saltedHotKeys,
                                      int salts, boolean provision) {

    public static final String PREFIX = "onepipe.campaign.";
    public static final String VIEWS_DATASET = PREFIX + "views.dataset";
    public static final String CLICKS_DATASET = PREFIX + "clicks.dataset";
    public static final String CAMPAIGNS_DATASET = PREFIX + "campaigns.dataset";
    public static final String BLOCKLIST_TOPIC = PREFIX + "blocklist.topic";
    public static final String OUTPUT_DATASET = PREFIX + "output.dataset";
    public static final String LATE_TOPIC = PREFIX + "late.topic";
    public static final String UNJOINED_TOPIC = PREFIX + "unjoined.topic";
    public static final String WINDOW_SIZE_MS = PREFIX + "window.size.ms";
    public static final String GRACE_MS = PREFIX + "grace.ms";
    public static final String VIEW_JOIN_WINDOW_MS = PREFIX + "view.join.window.ms";
    public static final String CLICK_JOIN_WINDOW_MS = PREFIX + "click.join.window.ms";
    public static final String DEDUP_WINDOW_MS = PREFIX + "dedup.window.ms";
    public static final String STORE_RETENTION_MS = PREFIX + "store.retention.ms";
    public static final String EMIT = PREFIX + "emit";
    public static final String HOT_KEYS_SALTED = PREFIX + "hot.keys.salted";
    public static final String HOT_KEYS_SALTS = PREFIX + "hot.keys.salts";
    public static final String PROVISION = PREFIX + "provision";

    public static final String DEFAULT_OUTPUT_DATASET = "campaign-metrics";
    public static final String DEFAULT_BLOCKLIST_TOPIC = "ad-bot-blocklist";

    /** When results are written. */
    public enum EmitMode {
        /** Once per window, after it closes (end + grace). */
        FINAL,
        /** Each time a window's numbers change (at most once per commit interval, thanks to the record cache). */
        UPDATES;

        public static EmitMode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Setting '" + EMIT + "' must be 'final' or 'updates', but is '" + text + "'", e);
            }
        }
    }

    public static List<TopologySetting> settings() {
        return List.of(
                TopologySetting.of(VIEWS_DATASET, "ad-views", "Dataset of ad views."),
                TopologySetting.of(CLICKS_DATASET, "ad-clicks", "Dataset of ad clicks."),
                TopologySetting.of(CAMPAIGNS_DATASET, "campaigns", "Reference dataset that names campaigns in the output; empty for no names."),
                TopologySetting.of(BLOCKLIST_TOPIC, DEFAULT_BLOCKLIST_TOPIC, "Compacted topic of bot IPs and CIDR blocks (key = entry; a tombstone unblocks)."),
                TopologySetting.of(OUTPUT_DATASET, DEFAULT_OUTPUT_DATASET, "Registered dataset the metrics are written to (an upsert by campaign and window)."),
                TopologySetting.of(LATE_TOPIC, "campaign-metrics-late", "Events that arrived after their window closed, as JSON with the reason."),
                TopologySetting.of(UNJOINED_TOPIC, "campaign-metrics-unjoined", "Views and clicks that never joined a serve, as JSON with the reason; reported once a later event of its stream moves stream time 2 x (window + grace) past them, or serves alone move it their join window + window + grace past them."),
                TopologySetting.of(WINDOW_SIZE_MS, 60_000, "Tumbling window size."),
                TopologySetting.of(GRACE_MS, 60_000, "How long after its end a window accepts events; later ones go to the late topic."),
                TopologySetting.of(VIEW_JOIN_WINDOW_MS, 3_600_000, "A view counts when it comes at most this long after its serve."),
                TopologySetting.of(CLICK_JOIN_WINDOW_MS, 86_400_000, "A click counts when it comes at most this long after its serve."),
                TopologySetting.of(DEDUP_WINDOW_MS, 3_600_000, "How long event ids are remembered to drop re-sent events."),
                TopologySetting.of(STORE_RETENTION_MS, 86_400_000, "How long window results stay queryable (GET /campaigns/<id>/metrics)."),
                TopologySetting.of(EMIT, "final", "'final': one result per window once it closes; 'updates': every change."),
                TopologySetting.of(HOT_KEYS_SALTED, false, "Aggregate in two stages over salted campaign keys, so a hot campaign spreads over tasks."),
                TopologySetting.of(HOT_KEYS_SALTS, 8, "Salts per campaign in the two-stage aggregation."),
                TopologySetting.of(PROVISION, true, "Create missing topics and register the output dataset when starting."));
    }

    public static CampaignMetricsSettings from(TopologyContext context) {
        OnepipeConfig config = context.config();
        CampaignMetricsSettings settings = new CampaignMetricsSettings(
                context.target(),
                context.inputTopic(),
                config.get(VIEWS_DATASET, "ad-views"),
                config.get(CLICKS_DATASET, "ad-clicks"),
                config.get(CAMPAIGNS_DATASET, "campaigns").trim(),
                config.get(BLOCKLIST_TOPIC, DEFAULT_BLOCKLIST_TOPIC),
                config.get(OUTPUT_DATASET, DEFAULT_OUTPUT_DATASET),
                config.get(LATE_TOPIC, "campaign-metrics-late"),
                config.get(UNJOINED_TOPIC, "campaign-metrics-unjoined"),
                Duration.ofMillis(config.getLong(WINDOW_SIZE_MS, 60_000)),
                Duration.ofMillis(config.getLong(GRACE_MS, 60_000)),
                Duration.ofMillis(config.getLong(VIEW_JOIN_WINDOW_MS, 3_600_000)),
                Duration.ofMillis(config.getLong(CLICK_JOIN_WINDOW_MS, 86_400_000)),
                Duration.ofMillis(config.getLong(DEDUP_WINDOW_MS, 3_600_000)),
                Duration.ofMillis(config.getLong(STORE_RETENTION_MS, 86_400_000)),
                EmitMode.parse(config.get(EMIT, "final")),
                config.getBoolean(HOT_KEYS_SALTED, false),
                config.getInt(HOT_KEYS_SALTS, 8),
                config.getBoolean(PROVISION, true));
        settings.validate();
        return settings;
    }

    private void validate() {
        requirePositive(WINDOW_SIZE_MS, windowSize);
        requirePositive(DEDUP_WINDOW_MS, dedupWindow);
        if (grace.isNegative()) {
            throw new IllegalArgumentException("Setting '" + GRACE_MS + "' must not be negative");
        }
        // A join store keeps events for its window plus grace; shorter than one aggregation window, it could drop an
        // event the lateness check lets through, which would then be lost without a trace.
        if (viewJoinWindow.compareTo(windowSize) < 0 || clickJoinWindow.compareTo(windowSize) < 0) {
            throw new IllegalArgumentException("Settings '" + VIEW_JOIN_WINDOW_MS + "' and '" + CLICK_JOIN_WINDOW_MS
                    + "' must be at least '" + WINDOW_SIZE_MS + "' (" + windowSize.toMillis() + " ms)");
        }
        if (saltedHotKeys && salts < 2) {
            throw new IllegalArgumentException("Setting '" + HOT_KEYS_SALTS + "' must be at least 2 when '" + HOT_KEYS_SALTED + "' is true");
        }
    }

    private static void requirePositive(String key, Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("Setting '" + key + "' must be positive");
        }
    }

    /**
     * How long the joins wait for a partner. An event is on time while its aggregation window is open, i.e. up to
     * {@code windowSize + grace} after its own time; the joins keep waiting exactly that long, so an event they give up
     * on can never be matched by a partner that is still on time.
     */
    public Duration joinGrace() {
        return grace.plus(windowSize);
    }

    /**
     * How long event ids are remembered: the dedup window, but at least as long as an event can be on time, so a
     * re-send the window would still accept is always recognised.
     */
    public Duration dedupRetention() {
        Duration onTime = windowSize.plus(grace);
        return dedupWindow.compareTo(onTime) < 0 ? onTime : dedupWindow;
    }

    /**
     * How long window results are kept: the setting, but never less than a window and its grace (Kafka Streams'
     * minimum). Keep it well above that: a window that closes and expires between two emit checks (a big jump in
     * stream time) would never be emitted.
     */
    public Duration windowStoreRetention() {
        Duration minimum = windowSize.plus(grace);
        return storeRetention.compareTo(minimum) < 0 ? minimum : storeRetention;
    }

    /**
     * How long a serve is remembered to tell a view or click outside its join window from one without any serve.
     *
     * <p>When a reaction the join gave up on is reported (Kafka Streams' left join, measured in the join's stream
     * time): once a later event of its own stream (a view for a view, a click for a click; any ad, same partition) takes
     * stream time past the reaction's time
     * + 2 × {@link #joinGrace()}; when only serves move stream time, not before its time + its join window +
     * {@link #joinGrace()} (the join then waits as long as a serve could still be on time for it). So the latest report
     * is a join window + join grace after the reaction, and the serve that explains it can be up to a join window
     * before the reaction: serves are kept 2 × the longest join window + 2 × join grace, one join grace more than that
     * needs. A jump of stream time by more than that margin between two records (a backfill read out of order) can
     * still make a reaction be reported as {@code NO_MATCHING_SERVE} rather than {@code OUTSIDE_JOIN_WINDOW}; it is
     * routed and counted either way.
     */
    public Duration servedAdsRetention() {
        Duration longestJoinWindow = viewJoinWindow.compareTo(clickJoinWindow) > 0 ? viewJoinWindow : clickJoinWindow;
        return longestJoinWindow.multipliedBy(2).plus(joinGrace().multipliedBy(2));
    }

    /** The topic of a dataset; a dataset not registered yet (e.g. in a test that registers it later) is read from the topic of its name. */
    public static String topicOf(MetadataCatalog catalog, String dataset) {
        return catalog.dataset(dataset).map(DatasetVersion::metadata).map(metadata -> metadata.topic()).orElse(dataset);
    }

    public String datasetOf(AdStream stream) {
        return switch (stream) {
            case SERVED -> servedDataset;
            case VIEWS -> viewsDataset;
            case CLICKS -> clicksDataset;
        };
    }

    public boolean namesCampaigns() {
        return !campaignsDataset.isEmpty();
    }
}
