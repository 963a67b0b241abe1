package dev.onepipe.campaign;

import java.util.List;
import java.util.Map;

import dev.onepipe.metadata.MetadataCatalog;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Ingest: a registered dataset read as Avro records in event time, with unreadable values sent to the topic's
 * dead-letter topic {@code <topic>.dlq} (original key and bytes, the error in header {@value DatasetRecordDecoder#ERROR_HEADER}).
 *
 * <p>Unlike topology-core's {@code DatasetStreams}, which leaves unreadable records to the dead-letter exception
 * handlers, this ingest decodes in a processor: it stamps each record with its dataset's event time (windows and joins
 * here work in event time whatever timestamp the producer set), counts unreadable records per stream with the other
 * drop reasons ({@link DropMetrics}), and can decode a projection of the record.
 */
public final class DatasetInput {

    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    private DatasetInput() {
    }

    /**
     * The records of {@code dataset} on {@code topic}; processor names start with {@code label}.
     */
    public static KStream<String, GenericRecord> stream(StreamsBuilder builder, MetadataCatalog catalog, String dataset,
                                                        String topic, String label) {
        return stream(builder, catalog, dataset, topic, label, List.of());
    }

    /** The same, decoding only {@code projectedFields} of each record (the event-time field among them). */
    public static KStream<String, GenericRecord> stream(StreamsBuilder builder, MetadataCatalog catalog, String dataset,
                                                        String topic, String label, List<String> projectedFields) {
        DatasetRecordDecoder.UnknownSchemaIds unknownSchemaIds = new DatasetRecordDecoder.UnknownSchemaIds();
        KStream<String, byte[]> raw = builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(label + "-source"));
        Map<String, KStream<String, DecodedValue>> branches = raw
                .processValues(() -> new DatasetRecordDecoder(catalog, dataset, label, unknownSchemaIds, projectedFields),
                        Named.as(label + "-decode"))
                .split(Named.as(label + "-ingest-"))
                .branch((key, value) -> value.isCorrupt(), Branched.as("corrupt"))
                .defaultBranch(Branched.as("decoded"));
        branches.get(label + "-ingest-corrupt")
                .mapValues(value -> value.corrupt(), Named.as(label + "-corrupt-bytes"))
                .to(deadLetterTopic(topic), Produced.with(Serdes.String(), Serdes.ByteArray()).withName(label + "-dead-letters"));
        return branches.get(label + "-ingest-decoded").mapValues(value -> value.record(), Named.as(label + "-records"));
    }

    public static String deadLetterTopic(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
