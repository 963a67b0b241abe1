package dev.onepipe.campaign.query;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.onepipe.campaign.CampaignMetrics;
import dev.onepipe.campaign.CampaignMetricsTopology;
import dev.onepipe.campaign.CampaignWindowAggregate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Interactive query of a running campaign-metrics instance: the metrics of one campaign, window by window, straight
 * from the window store the aggregation keeps ({@link CampaignMetricsTopology#METRICS_STORE}). Windows still open are
 * included with their numbers so far; closed ones stay for {@code onepipe.campaign.store.retention.ms}.
 *
 * <p>A campaign lives on the instance that owns its partition. With {@code application.server} set on every
 * instance, {@link #ownerElsewhere} names the instance to ask instead.
 */
public final class CampaignMetricsQuery {

    private final KafkaStreams streams;
    private final Duration windowSize;
    private final Optional<HostInfo> self;

    /**
     * @param self this instance's {@code application.server}, empty when it is not set (then every query is local)
     */
    public CampaignMetricsQuery(KafkaStreams streams, Duration windowSize, Optional<HostInfo> self) {
        this.streams = streams;
        this.windowSize = windowSize;
        this.self = self;
    }

    /** The metrics of {@code campaignId} in windows starting between {@code from} and {@code to}, both included. */
    public List<CampaignMetrics> metrics(String campaignId, Instant from, Instant to) {
        ReadOnlyWindowStore<String, CampaignWindowAggregate> store = streams.store(
                StoreQueryParameters.fromNameAndType(CampaignMetricsTopology.METRICS_STORE, QueryableStoreTypes.windowStore()));
        List<CampaignMetrics> metrics = new ArrayList<>();
        try (WindowStoreIterator<CampaignWindowAggregate> windows = store.fetch(campaignId, from, to)) {
            while (windows.hasNext()) {
                KeyValue<Long, CampaignWindowAggregate> window = windows.next();
                metrics.add(CampaignMetrics.of(campaignId, window.key, window.key + windowSize.toMillis(), window.value));
            }
        }
        return metrics;
    }

    /** The instance that holds {@code campaignId} when it is not this one; empty when it is this one or unknown. */
    public Optional<HostInfo> ownerElsewhere(String campaignId) {
        if (self.isEmpty()) {
            return Optional.empty();
        }
        KeyQueryMetadata metadata = streams.queryMetadataForKey(CampaignMetricsTopology.METRICS_STORE, campaignId, Serdes.String().serializer());
        if (metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE || metadata.activeHost().port() < 0) {
            return Optional.empty();
        }
        return metadata.activeHost().equals(self.get()) ? Optional.empty() : Optional.of(metadata.activeHost());
    }
}
