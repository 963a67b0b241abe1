package dev.onepipe.campaign;

import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.core.dataset.Ingest;
import dev.onepipe.core.dataset.ReferenceTable;
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
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * {@code ysb}: the Yahoo Streaming Benchmark query on this module's building blocks, so onepipe can be run side by
 * side with published results. Ingest {@code ysb-events}, keep views, project to ad id and time, join the ad to its
 * campaign (a reference table over {@code ysb-campaigns}, {@link ReferenceTable}), count views per campaign per 10-second window, publish.
 * Unlike the original, late views are routed to a late topic rather than lost.
 */
public final class YsbTopology implements OnepipeTopology {

    public static final String NAME = "ysb";
    public static final String VIEWS_STORE = "ysb-campaign-views-store";
    static final String AD_CAMPAIGNS = "ysb-ad-campaigns";
    static final String AD_CAMPAIGNS_STORE = AD_CAMPAIGNS + "-store";
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
        DatasetStreams datasets = DatasetStreams.of(builder, context);
        KStream<String, GenericRecord> events = datasets.stream(settings.eventsDataset(), Ingest.named(LABEL).fields(FIELDS_READ).inEventTime());
        KStream<String, AdEvent> views = events
                .filter((key, event) -> "view".equals(String.valueOf(event.get("event_type"))), Named.as("ysb-keep-views"))
                .processValues(() -> new AdEventProjection(AdStream.VIEWS), Named.as("ysb-project"));
        KStream<String, AdEvent> attributed = joinCampaign(datasets, settings, views);
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

    /**
     * The ad-to-campaign mapping as a reference table ({@value #AD_CAMPAIGNS_STORE}); an unreadable mapping record
     * goes to the dead letters of {@code ysb-campaigns} and leaves the ad's campaign as it was.
     */
    private static KStream<String, AdEvent> joinCampaign(DatasetStreams datasets, YsbSettings settings, KStream<String, AdEvent> views) {
        ReferenceTable adCampaigns = datasets.referenceTable(settings.campaignsDataset(), Ingest.named(AD_CAMPAIGNS).fields(List.of("campaign_id")));
        return adCampaigns.leftJoin(views, (eventId, view) -> view.adId(),
                        (view, adCampaign) -> FieldText.of(adCampaign, "campaign_id").map(view::attributedTo).orElse(view),
                        Named.as("ysb-join-campaign"))
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
