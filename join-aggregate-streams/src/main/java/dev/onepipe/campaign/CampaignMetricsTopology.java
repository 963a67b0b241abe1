package dev.onepipe.campaign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.campaign.query.CampaignMetricsEndpoint;
import dev.onepipe.campaign.query.CampaignMetricsQuery;
import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.core.dataset.DroppedRecordMetrics;
import dev.onepipe.core.dataset.Ingest;
import dev.onepipe.core.dataset.ReferenceTable;
import dev.onepipe.core.deadletter.DeadLetterTopics;
import dev.onepipe.core.runtime.http.HttpRoute;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetSerdes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * {@code campaign-metrics}: the worked example of Yelp's stream-processing talk. Ads served, viewed and clicked go
 * through the talk's diagram, one method per box:
 *
 * <pre>
 *   ingest (decode, dead letters) → filter (re-sends, bots) → project → join (views and clicks to their serve)
 *   → aggregate (per campaign per window) → publish (an upsert per campaign and window)
 * </pre>
 *
 * Run it with {@code onepipe run campaign-metrics --dataset ad-served}; the other datasets and topics are settings.
 * Events that arrive after their window closed go to the late topic, views and clicks that never join to the
 * unjoined topic, unreadable records to {@code <topic>.dlq}; every dropped event is counted per stream and reason
 * ({@link DroppedRecordMetrics}).
 */
public final class CampaignMetricsTopology implements OnepipeTopology {

    public static final String NAME = "campaign-metrics";
    /** The window store of the final per-campaign metrics, queried by {@link CampaignMetricsQuery}. */
    public static final String METRICS_STORE = "campaign-metrics-store";
    public static final String BLOCKLIST_STORE = "bot-blocklist-store";
    static final String SERVED_ADS_STORE = "served-ads-store";
    static final String SALTED_METRICS_STORE = "salted-campaign-metrics-store";
    static final String SALT_PARTIALS_STORE = "salt-partials-store";
    static final String CAMPAIGNS = "campaigns";
    static final String CAMPAIGNS_STORE = CAMPAIGNS + "-store";
    private static final String ADDRESS_FIELD = "ip";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Ad campaign metrics (Yelp's example): filter bots, join views and clicks to serves, count per campaign and window";
    }

    @Override
    public List<TopologySetting> settings() {
        return CampaignMetricsSettings.settings();
    }

    /** {@code GET /campaigns/<id>/metrics} on {@code --http-port}, from the metrics window store. */
    @Override
    public Map<String, HttpRoute> httpRoutes(KafkaStreams streams, TopologyContext context) {
        Optional<HostInfo> self = context.config().get(StreamsConfig.APPLICATION_SERVER_CONFIG).map(HostInfo::buildFromEndpoint);
        CampaignMetricsQuery query = new CampaignMetricsQuery(streams, CampaignMetricsSettings.from(context).windowSize(), self);
        return Map.of(CampaignMetricsEndpoint.PATH_PREFIX, new CampaignMetricsEndpoint(query));
    }

    /**
     * Checks the inputs, registers the output dataset and creates the missing output, late, unjoined, dead-letter and
     * blocklist topics, unless {@value CampaignMetricsSettings#PROVISION} is false.
     */
    @Override
    public void provision(TopologyContext context, TopologyProvisioning provisioning) {
        CampaignMetricsSettings settings = CampaignMetricsSettings.from(context);
        if (!settings.provision()) {
            return;
        }
        MetadataCatalog catalog = context.catalog();
        List<String> inputs = new ArrayList<>();
        for (AdStream stream : AdStream.values()) {
            inputs.add(topicOf(catalog, settings, stream));
        }
        if (settings.namesCampaigns()) {
            inputs.add(CampaignMetricsSettings.topicOf(catalog, settings.campaignsDataset()));
        }
        provisioning.requireTopics(inputs);
        int partitions = provisioning.partitions(settings.servedTopic());
        String outputTopic = catalog.dataset(settings.outputDataset()).isPresent()
                ? CampaignMetricsSettings.topicOf(catalog, settings.outputDataset())
                : provisioning.registerDataset(BundledDataset.CAMPAIGN_METRICS.registrationRequest(settings.outputDataset())).metadata().topic();
        provisioning.createTopic(outputTopic, partitions, true);
        provisioning.createTopic(settings.blocklistTopic(), 1, true);
        provisioning.createTopic(settings.lateTopic(), partitions, false);
        provisioning.createTopic(settings.unjoinedTopic(), partitions, false);
        for (AdStream stream : AdStream.values()) {
            provisioning.createTopic(DeadLetterTopics.of(topicOf(catalog, settings, stream)), partitions, false);
        }
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        CampaignMetricsSettings settings = CampaignMetricsSettings.from(context);
        Steps steps = new Steps(builder, DatasetStreams.of(builder, context), context.catalog(), settings);
        KStream<String, AdEvent> served = steps.project(steps.filter(steps.ingest(AdStream.SERVED), AdStream.SERVED), AdStream.SERVED);
        KStream<String, AdEvent> views = steps.project(steps.filter(steps.ingest(AdStream.VIEWS), AdStream.VIEWS), AdStream.VIEWS);
        KStream<String, AdEvent> clicks = steps.project(steps.filter(steps.ingest(AdStream.CLICKS), AdStream.CLICKS), AdStream.CLICKS);
        KStream<String, AdEvent> countable = steps.join(served, views, clicks);
        steps.publish(steps.aggregate(countable));
    }

    static String topicOf(MetadataCatalog catalog, CampaignMetricsSettings settings, AdStream stream) {
        return stream == AdStream.SERVED ? settings.servedTopic() : CampaignMetricsSettings.topicOf(catalog, settings.datasetOf(stream));
    }

    /** The steps of the diagram, for one build of the topology. */
    private static final class Steps {

        private final StreamsBuilder builder;
        private final DatasetStreams datasets;
        private final MetadataCatalog catalog;
        private final CampaignMetricsSettings settings;
        private final AdEventSerde adEvents = new AdEventSerde();
        private final CampaignWindowAggregateSerde aggregates = new CampaignWindowAggregateSerde();

        Steps(StreamsBuilder builder, DatasetStreams datasets, MetadataCatalog catalog, CampaignMetricsSettings settings) {
            this.builder = builder;
            this.datasets = datasets;
            this.catalog = catalog;
            this.settings = settings;
            // the blocklist is read once per application; every filter looks it up
            builder.globalTable(settings.blocklistTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("blocklist-source"),
                    Materialized.<String, byte[]>as(Stores.inMemoryKeyValueStore(BLOCKLIST_STORE))
                            .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
        }

        /** Ingest: the stream's dataset as records in event time; unreadable ones to the dead-letter topic. */
        KStream<String, GenericRecord> ingest(AdStream stream) {
            return datasets.stream(settings.datasetOf(stream), Ingest.named(stream.label()).inEventTime());
        }

        /** Filter: re-sent events (same event id), then events from bot addresses. */
        KStream<String, GenericRecord> filter(KStream<String, GenericRecord> records, AdStream stream) {
            String dedupStore = stream.label() + "-event-ids-store";
            builder.addStateStore(EventDeduplicator.storeBuilder(dedupStore, settings.dedupRetention()));
            return records
                    .processValues(() -> new EventDeduplicator(dedupStore, stream.label(), settings.dedupRetention()),
                            Named.as(stream.label() + "-dedup"), dedupStore)
                    .processValues(() -> new BotFilter(BLOCKLIST_STORE, ADDRESS_FIELD, stream.label()), Named.as(stream.label() + "-bot-filter"));
        }

        /** Project: only what the metrics need, before anything is repartitioned. */
        KStream<String, AdEvent> project(KStream<String, GenericRecord> records, AdStream stream) {
            return records.processValues(() -> new AdEventProjection(stream), Named.as(stream.label() + "-project"));
        }

        /**
         * Join: views and clicks to their serve by ad id, within their join windows; the ones that never join go to the
         * unjoined topic. Returns every countable event keyed by ad id: serves, and views and clicks with their
         * serve's campaign.
         */
        KStream<String, AdEvent> join(KStream<String, AdEvent> served, KStream<String, AdEvent> views, KStream<String, AdEvent> clicks) {
            builder.addStateStore(ServedAdRegistry.storeBuilder(SERVED_ADS_STORE, settings.servedAdsRetention()));
            KStream<String, AdEvent> servedByAd = onTimeForJoin(byAd(served, AdStream.SERVED), AdStream.SERVED.label())
                    .processValues(() -> new ServedAdRegistry(SERVED_ADS_STORE), Named.as("served-register"), SERVED_ADS_STORE);
            KStream<String, AdEvent> joinedViews = joinToServe(onTimeForJoin(byAd(views, AdStream.VIEWS), AdStream.VIEWS.label()), servedByAd,
                    AdStream.VIEWS, settings.viewJoinWindow());
            KStream<String, AdEvent> joinedClicks = joinToServe(onTimeForJoin(byAd(clicks, AdStream.CLICKS), AdStream.CLICKS.label()), servedByAd,
                    AdStream.CLICKS, settings.clickJoinWindow());
            return servedByAd.merge(joinedViews, Named.as("merge-views")).merge(joinedClicks, Named.as("merge-clicks"));
        }

        private KStream<String, AdEvent> byAd(KStream<String, AdEvent> events, AdStream stream) {
            return events.selectKey((key, event) -> event.adId(), Named.as(stream.label() + "-key-by-ad"))
                    .repartition(Repartitioned.with(Serdes.String(), adEvents).withName(stream.label() + "-by-ad"));
        }

        private KStream<String, AdEvent> joinToServe(KStream<String, AdEvent> reactions, KStream<String, AdEvent> servedByAd,
                                                     AdStream stream, Duration joinWindow) {
            String name = stream.label() + "-join-served";
            // A reaction counts when its serve came at most joinWindow before it, never after it. The join window also
            // reaches joinGrace after the reaction: Kafka Streams reports a left-join record unmatched at once when
            // its window ends before the stream time, so a reaction that arrives ahead of its serve (another partition
            // running behind) would be reported unmatched and then joined as well. With the window reaching as far as
            // an on-time partner can be, it waits; a serve found after the reaction is turned away by the joiner.
            KStream<String, AdEvent> joined = reactions.leftJoin(servedByAd,
                    (reaction, serve) -> serve == null || serve.eventTime() > reaction.eventTime() ? reaction : reaction.attributedTo(serve.campaignId()),
                    JoinWindows.ofTimeDifferenceAndGrace(joinWindow, settings.joinGrace()).after(settings.joinGrace()),
                    StreamJoined.with(Serdes.String(), adEvents, adEvents).withName(name).withStoreName(name));
            KStream<String, Verdict<AdEvent>> classified = joined.processValues(
                    () -> new UnjoinedClassifier(SERVED_ADS_STORE, settings.servedAdsRetention(), stream),
                    Named.as(stream.label() + "-classify"), SERVED_ADS_STORE);
            return RoutedEvents.accepted(classified, stream.label() + "-joined", "unjoined", RoutedEvents::describe, settings.unjoinedTopic());
        }

        /** Late events leave before a join (judged by the task's stream time, which covers both sides of the join)... */
        private KStream<String, AdEvent> onTimeForJoin(KStream<String, AdEvent> events, String name) {
            return RoutedEvents.onTime(events, name, settings.windowSize(), settings.grace(), LatenessGate.StreamTime.TASK,
                    event -> event.stream().label(), RoutedEvents::describe, settings.lateTopic());
        }

        /** ...and before a windowed aggregation (judged by the stream time the aggregation itself sees). */
        private KStream<String, AdEvent> onTimeForWindow(KStream<String, AdEvent> events, String name) {
            return RoutedEvents.onTime(events, name, settings.windowSize(), settings.grace(), LatenessGate.StreamTime.OBSERVED,
                    event -> event.stream().label(), RoutedEvents::describe, settings.lateTopic());
        }

        /**
         * Aggregate: served, views, clicks and distinct users per campaign per tumbling window, in one stage keyed by
         * campaign, or in two over salted keys when hot keys are spread.
         */
        KStream<String, CampaignMetrics> aggregate(KStream<String, AdEvent> countable) {
            return settings.saltedHotKeys() ? aggregateInTwoStages(countable) : aggregateByCampaign(countable);
        }

        private KStream<String, CampaignMetrics> aggregateByCampaign(KStream<String, AdEvent> countable) {
            KStream<String, AdEvent> byCampaign = onTimeForWindow(countable
                    .selectKey((adId, event) -> event.campaignId(), Named.as("key-by-campaign"))
                    .repartition(Repartitioned.with(Serdes.String(), adEvents).withName("events-by-campaign")), "campaign-window");
            KTable<Windowed<String>, CampaignWindowAggregate> windows = byCampaign
                    .groupByKey(Grouped.with("events-by-campaign-grouped", Serdes.String(), adEvents))
                    .windowedBy(windows())
                    .emitStrategy(emitStrategy())
                    .aggregate(CampaignWindowAggregate::new, (campaignId, event, aggregate) -> aggregate.add(event),
                            Named.as("campaign-window-aggregate"), metricsStore(METRICS_STORE, settings.windowStoreRetention()));
            return metricsOf(windows, "campaign-window-results");
        }

        /**
         * Hot keys: the first stage counts per campaign and salt (a hash of the event id), so a hot campaign's events spread
         * over as many tasks as there are salts; the second stage adds up the salts of each campaign. Exact, including
         * distinct users, because partials carry per-user counts.
         */
        private KStream<String, CampaignMetrics> aggregateInTwoStages(KStream<String, AdEvent> countable) {
            int salts = settings.salts();
            KStream<String, AdEvent> bySaltedCampaign = onTimeForWindow(countable
                    .selectKey((adId, event) -> SaltedPartial.saltedKey(event.campaignId(), SaltedPartial.saltOf(event, salts)),
                            Named.as("key-by-salted-campaign"))
                    .repartition(Repartitioned.with(Serdes.String(), adEvents).withName("events-by-salted-campaign")), "salted-campaign-window");
            KTable<Windowed<String>, CampaignWindowAggregate> partials = bySaltedCampaign
                    .groupByKey(Grouped.with("events-by-salted-campaign-grouped", Serdes.String(), adEvents))
                    .windowedBy(windows())
                    .emitStrategy(emitStrategy())
                    .aggregate(CampaignWindowAggregate::new, (saltedKey, event, aggregate) -> aggregate.add(event),
                            Named.as("salted-campaign-window-aggregate"), metricsStore(SALTED_METRICS_STORE, settings.windowStoreRetention()));
            return settings.emit() == CampaignMetricsSettings.EmitMode.FINAL ? mergeFinalPartials(partials) : mergePartialUpdates(partials);
        }

        /** Final partials arrive once per salt: a second windowed aggregation adds them up and closes like the first. */
        private KStream<String, CampaignMetrics> mergeFinalPartials(KTable<Windowed<String>, CampaignWindowAggregate> partials) {
            KStream<String, CampaignWindowAggregate> byCampaign = partials.toStream(Named.as("salted-partials"))
                    .map((window, partial) -> KeyValue.pair(SaltedPartial.campaignOf(window.key()), partial), Named.as("partial-key-by-campaign"))
                    .repartition(Repartitioned.with(Serdes.String(), aggregates).withName("partials-by-campaign"));
            KStream<String, CampaignWindowAggregate> onTime = RoutedEvents.onTime(byCampaign, "partials-window", settings.windowSize(),
                    settings.grace(), LatenessGate.StreamTime.OBSERVED, partial -> "partials", RoutedEvents::describePartial, settings.lateTopic());
            KTable<Windowed<String>, CampaignWindowAggregate> windows = onTime
                    .groupByKey(Grouped.with("partials-by-campaign-grouped", Serdes.String(), aggregates))
                    .windowedBy(windows())
                    .emitStrategy(EmitStrategy.onWindowClose())
                    .aggregate(CampaignWindowAggregate::new, (campaignId, partial, merged) -> merged.merge(partial),
                            Named.as("campaign-window-merge"), metricsStore(METRICS_STORE, settings.windowStoreRetention()));
            return metricsOf(windows, "campaign-window-results");
        }

        /** Updated partials replace the salt's previous one, see {@link SaltedPartialMerger}. */
        private KStream<String, CampaignMetrics> mergePartialUpdates(KTable<Windowed<String>, CampaignWindowAggregate> partials) {
            builder.addStateStore(SaltedPartialMerger.storeBuilder(SALT_PARTIALS_STORE, settings.windowStoreRetention(), settings.windowSize()));
            builder.addStateStore(SaltedPartialMerger.storeBuilder(METRICS_STORE, settings.windowStoreRetention(), settings.windowSize()));
            return partials.toStream(Named.as("salted-partials"))
                    .map((window, partial) -> KeyValue.pair(SaltedPartial.campaignOf(window.key()),
                            new SaltedPartial(SaltedPartial.saltOf(window.key()), window.window().start(), partial)), Named.as("partial-key-by-campaign"))
                    .repartition(Repartitioned.with(Serdes.String(), new SaltedPartialSerde()).withName("partials-by-campaign"))
                    .process(() -> new SaltedPartialMerger(SALT_PARTIALS_STORE, METRICS_STORE, settings.windowSize()),
                            Named.as("campaign-window-merge"), SALT_PARTIALS_STORE, METRICS_STORE);
        }

        private TimeWindows windows() {
            return TimeWindows.ofSizeAndGrace(settings.windowSize(), settings.grace());
        }

        private EmitStrategy emitStrategy() {
            return settings.emit() == CampaignMetricsSettings.EmitMode.FINAL ? EmitStrategy.onWindowClose() : EmitStrategy.onWindowUpdate();
        }

        private Materialized<String, CampaignWindowAggregate, WindowStore<Bytes, byte[]>> metricsStore(String name, Duration retention) {
            return Materialized.<String, CampaignWindowAggregate, WindowStore<Bytes, byte[]>>as(name)
                    .withKeySerde(Serdes.String()).withValueSerde(aggregates).withRetention(retention);
        }

        private static KStream<String, CampaignMetrics> metricsOf(KTable<Windowed<String>, CampaignWindowAggregate> windows, String name) {
            return windows.toStream(Named.as(name))
                    .map((window, aggregate) -> KeyValue.pair(window.key(),
                            CampaignMetrics.of(window.key(), window.window().start(), window.window().end(), aggregate)), Named.as(name + "-metrics"));
        }

        /**
         * Publish: each result as an absolute value keyed by (campaign, window start), so a sink can apply it any number
         * of times; named from the campaigns reference data when there is one.
         */
        void publish(KStream<String, CampaignMetrics> metrics) {
            KStream<String, CampaignMetrics> named = metrics;
            if (settings.namesCampaigns()) {
                ReferenceTable campaigns = datasets.referenceTable(settings.campaignsDataset(), Ingest.named(CAMPAIGNS).fields(List.of("name")));
                named = campaigns.leftJoin(metrics, (campaignId, result) -> campaignId,
                        (result, campaign) -> result.named(FieldText.of(campaign, "name").orElse(null)), Named.as("name-campaigns"));
            }
            String outputTopic = CampaignMetricsSettings.topicOf(catalog, settings.outputDataset());
            OutputRecords output = new OutputRecords(catalog, settings.outputDataset());
            named.map((campaignId, result) -> KeyValue.pair(result.key(), output.record(result::toRecord)), Named.as("key-by-campaign-window"))
                    .to(outputTopic, Produced.with(Serdes.String(), DatasetSerdes.generic(catalog, settings.outputDataset())).withName("publish"));
        }
    }
}
