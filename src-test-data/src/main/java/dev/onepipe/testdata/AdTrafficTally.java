package dev.onepipe.testdata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.avro.generic.GenericRecord;

/**
 * Expected ad campaign metrics for records of {@code ad-served}, {@code ad-views} and {@code ad-clicks},
 * computed with plain maps as records are added, independently of any topology.
 *
 * <p>Every record is classified once, in this order:
 * <ol>
 *   <li><b>corrupt</b>: counted per stream, nothing else.</li>
 *   <li><b>duplicate</b>: its {@code event_id} was seen before on the same stream; counted, nothing else.</li>
 *   <li><b>{@link DropReason#BOT_IP}</b>: its {@code ip} is on the bot blocklist.</li>
 *   <li>a serve is then <b>counted</b>. A view or click is counted when a counted serve has the same
 *       {@code ad_id} and {@code served_at <= event time <= served_at + join window} (bounds included, as in
 *       Kafka Streams' {@code JoinWindows} with {@code before = 0}); when that serve exists but the time is
 *       outside, it is {@link DropReason#OUTSIDE_JOIN_WINDOW}; when no counted serve has its {@code ad_id},
 *       it is {@link DropReason#NO_MATCHING_SERVE}.</li>
 * </ol>
 * A counted record adds to its campaign (a view or click takes the campaign of its serve) in the epoch-aligned
 * tumbling window of its <em>own</em> event time ({@code served_at}, {@code viewed_at}, {@code clicked_at}).
 * Distinct users of a window are the distinct {@code user_id} of the serves counted there.
 *
 * <p>All of the above depends only on the set of records added, not on their order: a view added before its
 * serve is joined when the serve arrives. The metrics are the complete answer, as if no record were dropped as
 * late; a topology matches them when its grace periods cover the disorder of the input (see the README).
 *
 * <p><b>Late</b> counts, in contrast, depend on order and are per stream: a valid record is late when
 * {@code windowEnd <= streamTime - grace}, where {@code windowEnd} is the end (exclusive) of the window of its
 * event time and {@code streamTime} is the largest event time of the valid records of the same stream added up
 * to and including it. This is Kafka Streams' rule for a windowed aggregation fed by one partition in the
 * order the records were generated; with more partitions it is not exact.
 */
public final class AdTrafficTally {

    private static final List<String> STREAMS =
        List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS);

    private final long windowSizeMillis;
    private final long gracePeriodMillis;
    private final long viewJoinWindowMillis;
    private final long clickJoinWindowMillis;
    private final BotIpBlocklist botIpBlocklist;
    private final Map<String, StreamCounts> streams = new HashMap<>();
    private final Map<String, CountedServe> servesByAd = new HashMap<>();
    private final Map<String, List<Reaction>> reactionsWaitingForServe = new HashMap<>();
    private final Map<CampaignWindow, WindowAccumulator> windows = new HashMap<>();

    public AdTrafficTally(final long windowSizeMillis,
                          final long gracePeriodMillis,
                          final long viewJoinWindowMillis,
                          final long clickJoinWindowMillis,
                          final BotIpBlocklist botIpBlocklist) {
        if (windowSizeMillis < 1) {
            throw new IllegalArgumentException("windowSizeMillis must be at least 1, was " + windowSizeMillis);
        }
        this.windowSizeMillis = windowSizeMillis;
        this.gracePeriodMillis = gracePeriodMillis;
        this.viewJoinWindowMillis = viewJoinWindowMillis;
        this.clickJoinWindowMillis = clickJoinWindowMillis;
        this.botIpBlocklist = Objects.requireNonNull(botIpBlocklist, "botIpBlocklist");
        streams.put(SampleDatasets.AD_SERVED, new StreamCounts("served_at"));
        streams.put(SampleDatasets.AD_VIEWS, new StreamCounts("viewed_at"));
        streams.put(SampleDatasets.AD_CLICKS, new StreamCounts("clicked_at"));
    }

    /** A tally with the windows, grace period, join windows and blocklist of a generator configuration. */
    public static AdTrafficTally of(final AdTrafficGeneratorConfig config) {
        return new AdTrafficTally(config.windowSizeMillis(), config.gracePeriodMillis(),
            config.viewJoinWindowMillis(), config.clickJoinWindowMillis(), config.botIpBlocklist());
    }

    public void add(final GeneratedRecord record) {
        final StreamCounts stream = streams.get(record.dataset());
        if (stream == null) {
            throw new IllegalArgumentException("Not an ad-served, ad-views or ad-clicks record: " + record);
        }
        stream.records++;
        if (record.isCorrupt()) {
            stream.corrupt++;
            return;
        }
        final GenericRecord value = record.value();
        final long eventTime = (Long) value.get(stream.eventTimeField);
        if (stream.streamTimeMillis != Long.MIN_VALUE
            && windowStart(eventTime) + windowSizeMillis <= stream.streamTimeMillis - gracePeriodMillis) {
            stream.late++;
        }
        stream.streamTimeMillis = Math.max(stream.streamTimeMillis, eventTime);

        if (!stream.eventIds.add(value.get("event_id").toString())) {
            stream.duplicates++;
            return;
        }
        if (botIpBlocklist.contains(value.get("ip").toString())) {
            stream.drops.merge(DropReason.BOT_IP, 1L, Long::sum);
            return;
        }
        final String adId = value.get("ad_id").toString();
        if (SampleDatasets.AD_SERVED.equals(record.dataset())) {
            addServe(value, adId, eventTime);
        } else {
            final Reaction reaction = new Reaction(record.dataset(), eventTime);
            final CountedServe serve = servesByAd.get(adId);
            if (serve == null) {
                reactionsWaitingForServe.computeIfAbsent(adId, ad -> new ArrayList<>()).add(reaction);
            } else {
                join(reaction, serve);
            }
        }
    }

    private void addServe(final GenericRecord value, final String adId, final long servedAt) {
        final String eventId = value.get("event_id").toString();
        final CountedServe serve = new CountedServe(eventId, value.get("campaign_id").toString(), servedAt);
        final CountedServe earlier = servesByAd.putIfAbsent(adId, serve);
        if (earlier != null) {
            throw new IllegalArgumentException("ad_id " + adId + " served by two events, " + earlier.eventId
                + " and " + eventId + ": views and clicks could not be attributed");
        }
        final WindowAccumulator window = window(serve.campaignId, servedAt);
        window.served++;
        window.users.add(value.get("user_id").toString());
        streams.get(SampleDatasets.AD_SERVED).counted++;
        final List<Reaction> waiting = reactionsWaitingForServe.remove(adId);
        if (waiting != null) {
            waiting.forEach(reaction -> join(reaction, serve));
        }
    }

    private void join(final Reaction reaction, final CountedServe serve) {
        final boolean view = SampleDatasets.AD_VIEWS.equals(reaction.stream);
        final long joinWindow = view ? viewJoinWindowMillis : clickJoinWindowMillis;
        final StreamCounts stream = streams.get(reaction.stream);
        if (reaction.eventTime < serve.servedAt || reaction.eventTime > serve.servedAt + joinWindow) {
            stream.drops.merge(DropReason.OUTSIDE_JOIN_WINDOW, 1L, Long::sum);
            return;
        }
        final WindowAccumulator window = window(serve.campaignId, reaction.eventTime);
        if (view) {
            window.views++;
        } else {
            window.clicks++;
        }
        stream.counted++;
    }

    private WindowAccumulator window(final String campaignId, final long eventTime) {
        return windows.computeIfAbsent(new CampaignWindow(campaignId, windowStart(eventTime)), key -> new WindowAccumulator());
    }

    private long windowStart(final long eventTime) {
        return CampaignWindow.windowStart(eventTime, windowSizeMillis);
    }

    public long windowSizeMillis() {
        return windowSizeMillis;
    }

    public long gracePeriodMillis() {
        return gracePeriodMillis;
    }

    /** Metrics of every campaign window with at least one counted record, sorted by campaign then window start. */
    public SortedMap<CampaignWindow, CampaignWindowCounts> windowCounts() {
        final SortedMap<CampaignWindow, CampaignWindowCounts> counts = new TreeMap<>();
        windows.forEach((key, window) -> counts.put(key, window.counts()));
        return Collections.unmodifiableSortedMap(counts);
    }

    /** Metrics of one campaign window; {@link CampaignWindowCounts#EMPTY} when nothing counted there. */
    public CampaignWindowCounts windowCounts(final String campaignId, final long windowStartMillis) {
        final WindowAccumulator window = windows.get(new CampaignWindow(campaignId, windowStartMillis));
        return window == null ? CampaignWindowCounts.EMPTY : window.counts();
    }

    /** Records added on a stream, corrupt ones included. */
    public long recordCount(final String stream) {
        return stream(stream).records;
    }

    public long corruptCount(final String stream) {
        return stream(stream).corrupt;
    }

    public long duplicateCount(final String stream) {
        return stream(stream).duplicates;
    }

    public long lateCount(final String stream) {
        return stream(stream).late;
    }

    /** Records of a stream that count in the metrics: counted serves, joined views, joined clicks. */
    public long countedCount(final String stream) {
        return stream(stream).counted;
    }

    public long droppedCount(final String stream, final DropReason reason) {
        if (reason == DropReason.NO_MATCHING_SERVE) {
            return reactionsWaitingForServe.values().stream()
                .flatMap(List::stream)
                .filter(reaction -> reaction.stream.equals(stream))
                .count();
        }
        return stream(stream).drops.getOrDefault(reason, 0L);
    }

    /** Dropped records of a stream per reason, every reason present. */
    public Map<DropReason, Long> droppedCounts(final String stream) {
        final Map<DropReason, Long> counts = new EnumMap<>(DropReason.class);
        for (final DropReason reason : DropReason.values()) {
            counts.put(reason, droppedCount(stream, reason));
        }
        return Collections.unmodifiableMap(counts);
    }

    private StreamCounts stream(final String stream) {
        final StreamCounts counts = streams.get(stream);
        if (counts == null) {
            throw new IllegalArgumentException("Unknown ad stream '" + stream + "'; known: " + STREAMS);
        }
        return counts;
    }

    private static final class StreamCounts {
        private final String eventTimeField;
        private final Set<String> eventIds = new HashSet<>();
        private final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        private long records;
        private long corrupt;
        private long duplicates;
        private long late;
        private long counted;
        private long streamTimeMillis = Long.MIN_VALUE;

        private StreamCounts(final String eventTimeField) {
            this.eventTimeField = eventTimeField;
        }
    }

    private static final class CountedServe {
        private final String eventId;
        private final String campaignId;
        private final long servedAt;

        private CountedServe(final String eventId, final String campaignId, final long servedAt) {
            this.eventId = eventId;
            this.campaignId = campaignId;
            this.servedAt = servedAt;
        }
    }

    /** A view or click that passed the bot filter. */
    private static final class Reaction {
        private final String stream;
        private final long eventTime;

        private Reaction(final String stream, final long eventTime) {
            this.stream = stream;
            this.eventTime = eventTime;
        }
    }

    private static final class WindowAccumulator {
        private final Set<String> users = new HashSet<>();
        private long served;
        private long views;
        private long clicks;

        private CampaignWindowCounts counts() {
            return new CampaignWindowCounts(served, views, clicks, users.size());
        }
    }
}
