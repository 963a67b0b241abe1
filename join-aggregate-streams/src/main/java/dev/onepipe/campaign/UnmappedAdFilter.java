package dev.onepipe.campaign;

import dev.onepipe.core.dataset.DroppedRecordMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** YSB: passes views whose ad maps to a campaign; counts the others as {@link DropReason#UNMAPPED_AD}. */
public final class UnmappedAdFilter implements FixedKeyProcessor<String, AdEvent, AdEvent> {

    private final String metricsLabel;
    private FixedKeyProcessorContext<String, AdEvent> context;
    private DroppedRecordMetrics dropMetrics;

    public UnmappedAdFilter(String metricsLabel) {
        this.metricsLabel = metricsLabel;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, AdEvent> context) {
        this.context = context;
        this.dropMetrics = new DroppedRecordMetrics(context.metrics(), metricsLabel);
    }

    @Override
    public void process(FixedKeyRecord<String, AdEvent> record) {
        if (record.value().isAttributed()) {
            context.forward(record);
        } else {
            dropMetrics.record(DropReason.UNMAPPED_AD.metricName());
        }
    }
}
