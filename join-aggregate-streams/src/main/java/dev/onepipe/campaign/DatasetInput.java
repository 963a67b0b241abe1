package dev.onepipe.campaign;

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
 * <p>This is the one place the topologies of this module create their input streams, so it is the place to switch to
 * the core dataset-stream DSL and its dead-letter routing once they exist.
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
        DatasetRecordDecoder.UnknownSchemaIds unknownSchemaIds = new DatasetRecordDecoder.UnknownSchemaIds();
        KStream<String, byte[]> raw = builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(label + "-source"));
        Map<String, KStream<String, DecodedValue>> branches = raw
                .processValues(() -> new DatasetRecordDecoder(catalog, dataset, label, unknownSchemaIds), Named.as(label + "-decode"))
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
