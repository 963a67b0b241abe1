package dev.onepipe.campaign;

import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.core.dataset.Ingest;
import dev.onepipe.core.deadletter.DeadLetterTopics;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * {@code ysb}: the Yahoo Streaming Benchmark query on this module's building blocks, so onepipe can be run side by
 * side with published results. Ingest {@code ysb-events}, keep views, project to ad id and time, join the ad to its
 * campaign (a {@code GlobalKTable} over {@code ysb-campaigns}), count views per campaign per 10-second window, publish.
 * Unlike the original, late views are routed to a late topic rather than lost.
 */
public final class YsbTopology implements OnepipeTopology {

    public static final String NAME = "ysb";
    public static final String VIEWS_STORE = "ysb-campaign-views-store";
    static final String AD_CAMPAIGNS_STORE = "ysb-ad-campaigns-store";
    static final String LABEL = "ysb";
    /** The fields the query reads; Avro skips the rest of each event (user, page, ad type, address). */
    static final List<String> FIELDS_READ = List.of("event_id", "ad_id", "event_type", "event_time");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Yahoo Streaming Benchmark: views per campaign per 10-second window (run with --dataset ysb-events)";
    }

    @Override
    public List<TopologySetting> settings() {
        return YsbSettings.settings();
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        YsbSettings settings = YsbSettings.from(context);
        MetadataCatalog catalog = context.catalog();
        KStream<String, GenericRecord> events = DatasetStreams.of(builder, context)
                .stream(settings.eventsDataset(), Ingest.named(LABEL).fields(FIELDS_READ).inEventTime());
        KStream<String, AdEvent> views = events
                .filter((key, event) -> "view".equals(String.valueOf(event.get("event_type"))), Named.as("ysb-keep-views"))
                .processValues(() -> new AdEventProjection(AdStream.VIEWS), Named.as("ysb-project"));
        KStream<String, AdEvent> attributed = joinCampaign(builder, catalog, settings, views);
        KStream<String, AdEvent> byCampaign = RoutedEvents.onTime(attributed
                        .selectKey((adId, view) -> view.campaignId(), Named.as("ysb-key-by-campaign"))
                        .repartition(Repartitioned.with(Serdes.String(), new AdEventSerde()).withName("ysb-views-by-campaign")),
                "ysb-campaign-window", settings.windowSize(), settings.grace(), LatenessGate.StreamTime.OBSERVED, view -> LABEL, RoutedEvents::describe, settings.lateTopic());
        KTable<Windowed<String>, Long> counts = byCampaign
                .groupByKey(Grouped.with("ysb-views-by-campaign-grouped", Serdes.String(), new AdEventSerde()))
                .windowedBy(TimeWindows.ofSizeAndGrace(settings.windowSize(), settings.grace()))
                .emitStrategy(settings.emit() == CampaignMetricsSettings.EmitMode.FINAL ? EmitStrategy.onWindowClose() : EmitStrategy.onWindowUpdate())
                .count(Named.as("ysb-count"), Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(VIEWS_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()).withRetention(settings.storeRetention()));
        publish(catalog, settings, counts);
    }

    private static KStream<String, AdEvent> joinCampaign(StreamsBuilder builder, MetadataCatalog catalog, YsbSettings settings,
                                                         KStream<String, AdEvent> views) {
        GlobalKTable<String, byte[]> adCampaigns = builder.globalTable(CampaignMetricsSettings.topicOf(catalog, settings.campaignsDataset()),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("ysb-ad-campaigns-source"),
                Materialized.<String, byte[]>as(Stores.inMemoryKeyValueStore(AD_CAMPAIGNS_STORE))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
        ReferenceRecords mapping = new ReferenceRecords(catalog, settings.campaignsDataset());
        return views.leftJoin(adCampaigns, (eventId, view) -> view.adId(),
                        (view, adCampaign) -> {
                            String campaignId = mapping.field(adCampaign, "campaign_id");
                            return campaignId == null ? view : view.attributedTo(campaignId);
                        }, Named.as("ysb-join-campaign"))
                .processValues(() -> new UnmappedAdFilter(LABEL), Named.as("ysb-drop-unmapped"));
    }

    private static void publish(MetadataCatalog catalog, YsbSettings settings, KTable<Windowed<String>, Long> counts) {
        OutputRecords output = new OutputRecords(catalog, settings.outputDataset());
        counts.toStream(Named.as("ysb-window-results"))
                .map((window, views) -> KeyValue.pair(
                        UniqueKeyEncoder.join(List.of(window.key(), Long.toString(window.window().start()))),
                        output.record(schema -> new GenericRecordBuilder(schema)
                                .set("campaign_id", window.key())
                                .set("window_start", window.window().start())
                                .set("window_end", window.window().end())
                                .set("views", views)
                                .build())), Named.as("ysb-key-by-campaign-window"))
                .to(CampaignMetricsSettings.topicOf(catalog, settings.outputDataset()),
                        Produced.with(Serdes.String(), DatasetSerdes.generic(catalog, settings.outputDataset())).withName("ysb-publish"));
    }

    /**
     * Checks the inputs, registers the output dataset and creates the missing output, late and dead-letter topics,
     * unless {@value YsbSettings#PROVISION} is false.
     */
    @Override
    public void provision(TopologyContext context, TopologyProvisioning provisioning) {
        YsbSettings settings = YsbSettings.from(context);
        if (!settings.provision()) {
            return;
        }
        MetadataCatalog catalog = context.catalog();
        provisioning.requireTopics(List.of(settings.eventsTopic(), CampaignMetricsSettings.topicOf(catalog, settings.campaignsDataset())));
        int partitions = provisioning.partitions(settings.eventsTopic());
        String outputTopic = catalog.dataset(settings.outputDataset()).isPresent()
                ? CampaignMetricsSettings.topicOf(catalog, settings.outputDataset())
                : provisioning.registerDataset(BundledDataset.YSB_CAMPAIGN_METRICS.registrationRequest(settings.outputDataset())).metadata().topic();
        provisioning.createTopic(outputTopic, partitions, true);
        provisioning.createTopic(settings.lateTopic(), partitions, false);
        provisioning.createTopic(DeadLetterTopics.of(settings.eventsTopic()), partitions, false);
    }
}
