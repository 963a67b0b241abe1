package dev.onepipe.campaign;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Project: keeps only what the metrics need (event id, ad id, and for serves the campaign and user), before anything
 * is repartitioned. Scoring fields, business and address stay behind.
 */
public final class AdEventProjection implements FixedKeyProcessor<String, GenericRecord, AdEvent> {

    private final AdStream stream;
    private FixedKeyProcessorContext<String, AdEvent> context;

    public AdEventProjection(AdStream stream) {
        this.stream = stream;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, AdEvent> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, GenericRecord> record) {
        context.forward(record.withValue(project(stream, record.value(), record.timestamp())));
    }

    static AdEvent project(AdStream stream, GenericRecord value, long eventTime) {
        boolean served = stream == AdStream.SERVED;
        return new AdEvent(stream,
                String.valueOf(value.get("event_id")),
                String.valueOf(value.get("ad_id")),
                served ? String.valueOf(value.get("campaign_id")) : null,
                served ? String.valueOf(value.get("user_id")) : null,
                eventTime);
    }
}
