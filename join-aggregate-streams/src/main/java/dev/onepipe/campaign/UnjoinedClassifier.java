package dev.onepipe.campaign;

import java.time.Duration;

import dev.onepipe.core.dataset.DroppedRecordMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * After a left join of views (or clicks) with serves: an event attributed to its serve's campaign goes on to be
 * counted; one without (the join gave up on it, or found its serve only after it) is routed out as
 * {@link DropReason#OUTSIDE_JOIN_WINDOW} when its ad was served (too long before it, or after it) or
 * {@link DropReason#NO_MATCHING_SERVE} when no counted serve of the ad is known, and counted.
 */
public final class UnjoinedClassifier implements FixedKeyProcessor<String, AdEvent, Verdict<AdEvent>> {

    private final String servedAdsStoreName;
    private final Duration servedAdsRetention;
    private final AdStream stream;
    private FixedKeyProcessorContext<String, Verdict<AdEvent>> context;
    private WindowStore<String, Long> servedAds;
    private DroppedRecordMetrics dropMetrics;

    public UnjoinedClassifier(String servedAdsStoreName, Duration servedAdsRetention, AdStream stream) {
        this.servedAdsStoreName = servedAdsStoreName;
        this.servedAdsRetention = servedAdsRetention;
        this.stream = stream;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Verdict<AdEvent>> context) {
        this.context = context;
        this.servedAds = context.getStateStore(servedAdsStoreName);
        this.dropMetrics = new DroppedRecordMetrics(context.metrics(), stream.label());
    }

    @Override
    public void process(FixedKeyRecord<String, AdEvent> record) {
        AdEvent event = record.value();
        if (event.isAttributed()) {
            context.forward(record.withValue(Verdict.accepted(event)));
            return;
        }
        long retention = servedAdsRetention.toMillis();
        Long servedAt = null;
        try (WindowStoreIterator<Long> serves = servedAds.fetch(event.adId(), Math.max(0, event.eventTime() - retention),
                event.eventTime() + retention)) {
            if (serves.hasNext()) {
                servedAt = serves.next().value;
            }
        }
        DropReason reason = servedAt == null ? DropReason.NO_MATCHING_SERVE : DropReason.OUTSIDE_JOIN_WINDOW;
        dropMetrics.record(reason.metricName());
        context.forward(record.withValue(Verdict.rejected(event, reason,
                servedAt == null ? "no counted serve of ad " + event.adId() : "served at " + servedAt)));
    }
}
