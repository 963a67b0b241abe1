package dev.onepipe.campaign;

import java.util.List;
import java.util.Map;
import java.util.Set;

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
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * {@code ysb}: the Yahoo Streaming Benchmark query on this module's building blocks, so onepipe can be run side by
 * side with published results. Ingest {@code ysb-events}, keep views, project to ad id and time, join the ad to its
 * campaign (a reference table over {@code ysb-campaigns}, {@link ReferenceTable}), count views per campaign per 10-second window, publish.
 * Unlike the original, late views are routed to a late topic rather than lost, and a window is counted the way Flink
 * counts it: each input partition counts its own views and judges lateness by its own stream time, and a window is
 * published once every input partition has passed its end plus grace, so a backlog read from partitions at different
 * speeds is counted exactly ({@link #countPerCampaignWindow}).
 */
public final class YsbTopology implements OnepipeTopology {

    public static final String NAME = "ysb";
    static final String AD_CAMPAIGNS = "ysb-ad-campaigns";
    static final String AD_CAMPAIGNS_STORE = AD_CAMPAIGNS + "-store";
    static final String LABEL = "ysb";
    /** The fields the query reads; Avro skips the rest of each event (user, page, ad type, address). */
    static final List<String> FIELDS_READ = List.of("event_id", "ad_id", "event_type", "event_time");

    /** The input topic's partition count, read in {@link #provision}: how many watermarks a window waits for. */
    private int inputPartitions;

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
        if (inputPartitions < 1) {
            throw new IllegalStateException("ysb builds after its provision step, which reads the partition count of " + settings.eventsTopic());
        }
        publish(catalog, settings, countPerCampaignWindow(attributed, settings, inputPartitions));
    }

    /**
     * Count: views per campaign per window, first per input partition (the combiner, {@link PartitionWindowCounter}:
     * lateness judged by each partition's own stream time, late views to the late topic), then, across the partial-count
     * repartition topic, the sum of the partials ({@link PartialCountSum}), published once every one of the
     * {@code inputPartitions} input partitions has passed the window. Keyed by campaign.
     */
    static KStream<String, CampaignWindowCount> countPerCampaignWindow(KStream<String, AdEvent> attributed, YsbSettings settings,
                                                                       int inputPartitions) {
        boolean updates = settings.emit() == CampaignMetricsSettings.EmitMode.UPDATES;
        KStream<String, PartialCount> partials = attributed.process(new ProcessorSupplier<String, AdEvent, String, PartialCount>() {
            @Override
            public Processor<String, AdEvent, String, PartialCount> get() {
                return new PartitionWindowCounter(settings.windowSize(), settings.grace(), updates, settings.updateInterval(), LABEL);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(PartitionWindowCounter.storeBuilder());
            }
        }, Named.as("ysb-count-per-input-partition"));
        Map<String, KStream<String, PartialCount>> branches = partials.split(Named.as("ysb-partials-"))
                .branch((campaignId, partial) -> partial.isLateView(), Branched.as("late"))
                .defaultBranch(Branched.as("on-time"));
        branches.get("ysb-partials-late")
                .mapValues(partial -> RoutedEvents.describe(partial.late()), Named.as("ysb-late-describe"))
                .to(settings.lateTopic(), Produced.with(Serdes.String(), Serdes.String()).withName("ysb-late-events"));
        return branches.get("ysb-partials-on-time")
                .repartition(Repartitioned.with(Serdes.String(), new PartialCountSerde()).withName("ysb-partial-counts")
                        .withStreamPartitioner(new PartialCountPartitioner()))
                .process(new ProcessorSupplier<String, PartialCount, String, CampaignWindowCount>() {
                    @Override
                    public Processor<String, PartialCount, String, CampaignWindowCount> get() {
                        return new PartialCountSum(settings.windowSize().toMillis(), inputPartitions, updates);
                    }

                    @Override
                    public Set<StoreBuilder<?>> stores() {
                        return Set.of(PartialCountSum.storeBuilder());
                    }
                }, Named.as("ysb-sum-partials"));
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

    private static void publish(MetadataCatalog catalog, YsbSettings settings, KStream<String, CampaignWindowCount> counts) {
        OutputRecords output = new OutputRecords(catalog, settings.outputDataset());
        counts
                .map((campaignId, count) -> KeyValue.pair(
                        UniqueKeyEncoder.join(List.of(campaignId, Long.toString(count.windowStart()))),
                        output.record(schema -> new GenericRecordBuilder(schema)
                                .set("campaign_id", campaignId)
                                .set("window_start", count.windowStart())
                                .set("window_end", count.windowEnd())
                                .set("views", count.views())
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
        int partitions = provisioning.partitions(settings.eventsTopic());
        inputPartitions = partitions;
        if (!settings.provision()) {
            return;
        }
        MetadataCatalog catalog = context.catalog();
        provisioning.requireTopics(List.of(settings.eventsTopic(), CampaignMetricsSettings.topicOf(catalog, settings.campaignsDataset())));
        String outputTopic = catalog.dataset(settings.outputDataset()).isPresent()
                ? CampaignMetricsSettings.topicOf(catalog, settings.outputDataset())
                : provisioning.registerDataset(BundledDataset.YSB_CAMPAIGN_METRICS.registrationRequest(settings.outputDataset())).metadata().topic();
        provisioning.createTopic(outputTopic, partitions, true);
        provisioning.createTopic(settings.lateTopic(), partitions, false);
        provisioning.createTopic(DeadLetterTopics.of(settings.eventsTopic()), partitions, false);
    }
}
