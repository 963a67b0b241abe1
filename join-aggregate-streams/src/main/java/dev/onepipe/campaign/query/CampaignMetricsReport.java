package dev.onepipe.campaign.query;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.onepipe.campaign.CampaignMetrics;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.serde.DatasetSerdes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Campaign metrics read back from the output dataset's topic: the latest value of every (campaign, window) key, which
 * is the answer whatever emit mode wrote it. Used by {@code onepipe campaign-metrics show} without {@code --url}, and by
 * the demo to print the top campaigns.
 */
public final class CampaignMetricsReport {

    private static final Duration POLL = Duration.ofMillis(200);

    private CampaignMetricsReport() {
    }

    /** A campaign's totals over the windows read. */
    public record CampaignTotals(String campaignId, String campaignName, int windows, long adsServed, long views, long clicks) {

        public double clickThroughRate() {
            return views == 0 ? 0.0 : (double) clicks / views;
        }
    }

    /** The latest metrics of every campaign window in the output dataset, sorted by campaign then window. */
    public static List<CampaignMetrics> latest(OnepipeConfig config, String outputDataset) {
        MetadataCatalog catalog = RegisteredDatasets.load(config);
        DatasetMetadata metadata = RegisteredDatasets.require(catalog, outputDataset);
        return latest(KafkaClientSettings.common(config), catalog, outputDataset, metadata.topic());
    }

    /** The latest metrics per key on {@code topic}, read from the beginning to the end it has now. */
    public static List<CampaignMetrics> latest(Map<String, Object> clientConfig, MetadataCatalog catalog, String dataset, String topic) {
        Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "onepipe-campaign-report-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Deserializer<GenericRecord> values = DatasetSerdes.generic(catalog, dataset).deserializer();
        Map<String, CampaignMetrics> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                        continue;
                    }
                    try {
                        latest.put(record.key(), CampaignMetrics.fromRecord(values.deserialize(topic, record.value())));
                    } catch (SerializationException e) {
                        // a record this reader cannot decode is not a campaign metric; the rest still are
                    }
                }
            }
        }
        List<CampaignMetrics> metrics = new ArrayList<>(latest.values());
        metrics.sort(Comparator.comparing(CampaignMetrics::campaignId).thenComparingLong(CampaignMetrics::windowStart));
        return metrics;
    }

    /** The {@code limit} campaigns with the most ads served, with their totals. */
    public static List<CampaignTotals> topCampaigns(List<CampaignMetrics> metrics, int limit) {
        Map<String, CampaignTotals> totals = new LinkedHashMap<>();
        for (CampaignMetrics window : metrics) {
            totals.merge(window.campaignId(),
                    new CampaignTotals(window.campaignId(), window.campaignName(), 1, window.adsServed(), window.views(), window.clicks()),
                    (a, b) -> new CampaignTotals(a.campaignId(), b.campaignName() != null ? b.campaignName() : a.campaignName(),
                            a.windows() + b.windows(), a.adsServed() + b.adsServed(), a.views() + b.views(), a.clicks() + b.clicks()));
        }
        return totals.values().stream()
                .sorted(Comparator.comparingLong(CampaignTotals::adsServed).reversed().thenComparing(CampaignTotals::campaignId))
                .limit(limit)
                .toList();
    }

    /** The top campaigns of the output dataset, e.g. for the demo's summary. */
    public static List<CampaignTotals> topCampaigns(OnepipeConfig config, String outputDataset, int limit) {
        return topCampaigns(latest(config, outputDataset), limit);
    }

    /** A table of campaign totals, one line per campaign, for a console. */
    public static String topCampaignsTable(List<CampaignTotals> campaigns) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-16s %-24s %8s %10s %10s %8s %7s%n",
                "campaign", "name", "windows", "served", "views", "clicks", "CTR"));
        for (CampaignTotals campaign : campaigns) {
            table.append(String.format(Locale.ROOT, "%-16s %-24s %8d %10d %10d %8d %6.2f%%%n", campaign.campaignId(),
                    campaign.campaignName() == null ? "" : campaign.campaignName(), campaign.windows(), campaign.adsServed(),
                    campaign.views(), campaign.clicks(), 100 * campaign.clickThroughRate()));
        }
        return table.toString();
    }

    /** A table of a campaign's windows, one line per window, for a console. */
    public static String windowsTable(List<CampaignMetrics> metrics) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-24s %-24s %10s %10s %8s %8s %7s%n",
                "window start (UTC)", "window end", "served", "views", "clicks", "users", "CTR"));
        for (CampaignMetrics window : metrics) {
            table.append(String.format(Locale.ROOT, "%-24s %-24s %10d %10d %8d %8d %6.2f%%%n", Instant.ofEpochMilli(window.windowStart()),
                    Instant.ofEpochMilli(window.windowEnd()), window.adsServed(), window.views(), window.clicks(), window.distinctUsers(),
                    100 * window.clickThroughRate()));
        }
        return table.toString();
    }
}
