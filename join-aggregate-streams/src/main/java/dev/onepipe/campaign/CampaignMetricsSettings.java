package dev.onepipe.campaign;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

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

    /** Every campaign-metrics setting: type, default, valid values and documentation, declared once. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(VIEWS_DATASET, Type.STRING, "ad-views", Importance.MEDIUM, "Dataset of ad views.")
            .define(CLICKS_DATASET, Type.STRING, "ad-clicks", Importance.MEDIUM, "Dataset of ad clicks.")
            .define(CAMPAIGNS_DATASET, Type.STRING, "campaigns", Importance.MEDIUM, "Reference dataset that names campaigns in the output; empty for no names.")
            .define(BLOCKLIST_TOPIC, Type.STRING, DEFAULT_BLOCKLIST_TOPIC, Importance.MEDIUM,
                    "Compacted topic of bot IPs and CIDR blocks (key = entry; a tombstone unblocks).")
            .define(OUTPUT_DATASET, Type.STRING, DEFAULT_OUTPUT_DATASET, Importance.MEDIUM,
                    "Registered dataset the metrics are written to (an upsert by campaign and window).")
            .define(LATE_TOPIC, Type.STRING, "campaign-metrics-late", Importance.MEDIUM, "Events that arrived after their window closed, as JSON with the reason.")
            .define(UNJOINED_TOPIC, Type.STRING, "campaign-metrics-unjoined", Importance.MEDIUM,
                    "Views and clicks that never joined a serve, as JSON with the reason; reported once a later event of its stream moves stream time"
                            + " 2 x (window + grace) past them, or serves alone move it their join window + window + grace past them.")
            .define(WINDOW_SIZE_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.HIGH, "Tumbling window size.")
            .define(GRACE_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.HIGH,
                    "How long after its end a window accepts events; later ones go to the late topic.")
            .define(VIEW_JOIN_WINDOW_MS, Type.LONG, 3_600_000L, Range.atLeast(1), Importance.MEDIUM, "A view counts when it comes at most this long after its serve.")
            .define(CLICK_JOIN_WINDOW_MS, Type.LONG, 86_400_000L, Range.atLeast(1), Importance.MEDIUM, "A click counts when it comes at most this long after its serve.")
            .define(DEDUP_WINDOW_MS, Type.LONG, 3_600_000L, Range.atLeast(1), Importance.MEDIUM, "How long event ids are remembered to drop re-sent events.")
            .define(STORE_RETENTION_MS, Type.LONG, 86_400_000L, Range.atLeast(1), Importance.LOW,
                    "How long window results stay queryable (GET /campaigns/<id>/metrics).")
            .define(EMIT, Type.STRING, "final", ConfigDef.CaseInsensitiveValidString.in("final", "updates"), Importance.MEDIUM,
                    "'final': one result per window once it closes; 'updates': every change.")
            .define(HOT_KEYS_SALTED, Type.BOOLEAN, false, Importance.LOW,
                    "Aggregate in two stages over salted campaign keys, so a hot campaign spreads over tasks.")
            .define(HOT_KEYS_SALTS, Type.INT, 8, Range.atLeast(1), Importance.LOW, "Salts per campaign in the two-stage aggregation.")
            .define(PROVISION, Type.BOOLEAN, true, Importance.LOW, "Create missing topics and register the output dataset when starting.");

    public static List<TopologySetting> settings() {
        return TopologySetting.all(DEFINITION);
    }

    /**
     * @throws IllegalArgumentException when a setting is not of its type or out of its range, or the settings disagree
     *                                  (a join window shorter than a window), naming the settings
     */
    public static CampaignMetricsSettings from(TopologyContext context) {
        AbstractConfig values = TopologySetting.values(DEFINITION, context.config());
        CampaignMetricsSettings settings = new CampaignMetricsSettings(
                context.target(),
                context.inputTopic(),
                values.getString(VIEWS_DATASET),
                values.getString(CLICKS_DATASET),
                values.getString(CAMPAIGNS_DATASET).trim(),
                values.getString(BLOCKLIST_TOPIC),
                values.getString(OUTPUT_DATASET),
                values.getString(LATE_TOPIC),
                values.getString(UNJOINED_TOPIC),
                Duration.ofMillis(values.getLong(WINDOW_SIZE_MS)),
                Duration.ofMillis(values.getLong(GRACE_MS)),
                Duration.ofMillis(values.getLong(VIEW_JOIN_WINDOW_MS)),
                Duration.ofMillis(values.getLong(CLICK_JOIN_WINDOW_MS)),
                Duration.ofMillis(values.getLong(DEDUP_WINDOW_MS)),
                Duration.ofMillis(values.getLong(STORE_RETENTION_MS)),
                EmitMode.parse(values.getString(EMIT)),
                values.getBoolean(HOT_KEYS_SALTED),
                values.getInt(HOT_KEYS_SALTS),
                values.getBoolean(PROVISION));
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
