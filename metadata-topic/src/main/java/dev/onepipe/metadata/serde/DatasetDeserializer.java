package dev.onepipe.metadata.serde;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads wire-format values of one dataset: resolves the writer schema by the id in the header and decodes the record
 * as the reader schema the consumer was built for, which is one of:
 * <ul>
 *   <li>a registered version of the dataset's value subject (generic records);</li>
 *   <li>the latest active version, chosen once on the first record and then kept for the life of the deserializer,
 *       so a schema registered while the consumer runs does not change the records it produces;</li>
 *   <li>a generated SpecificRecord class (its own schema);</li>
 *   <li>the writer schema itself ("as written": every record keeps the version it was written with).</li>
 * </ul>
 * Per thread, one datum reader per writer id is built on first use and reused (Avro caches its resolver per schema
 * pair and thread), the binary decoder is reused and the last binding is remembered, so the steady state does no
 * lookup, parse or allocation beyond the record itself. An id above the highest one known waits up to
 * {@code unknownIdWait} for the catalog to catch up. Thread-safe.
 */
public final class DatasetDeserializer<T> implements Deserializer<T> {

    /** How long a record with an id newer than the catalog waits for the catalog by default. */
    public static final Duration DEFAULT_UNKNOWN_ID_WAIT = Duration.ofSeconds(2);

    private enum ReaderChoice { VERSION, LATEST, PROJECTION, SPECIFIC, AS_WRITTEN }

    private final MetadataCatalog catalog;
    private final String datasetName;
    private final ReaderChoice readerChoice;
    private final int readerVersionNumber;
    private final Class<?> specificClass;
    private final List<String> projectedFields;
    private final Duration unknownIdWait;
    private final ThreadLocal<DecoderState> decoderStates = ThreadLocal.withInitial(DecoderState::new);
    private volatile DecoderState ownerState;
    private volatile ReaderSchema readerSchema;

    private DatasetDeserializer(MetadataCatalog catalog, String datasetName, ReaderChoice readerChoice,
                                int readerVersionNumber, Class<?> specificClass,
                                Duration unknownIdWait) {
        this(catalog, datasetName, readerChoice, readerVersionNumber, specificClass, List.of(), unknownIdWait);
    }

    private DatasetDeserializer(MetadataCatalog catalog, String datasetName, ReaderChoice readerChoice,
                                int readerVersionNumber, Class<?> specificClass, List<String> projectedFields,
                                Duration unknownIdWait) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.datasetName = datasetName;
        this.readerChoice = readerChoice;
        this.readerVersionNumber = readerVersionNumber;
        this.specificClass = specificClass;
        this.projectedFields = List.copyOf(projectedFields);
        this.unknownIdWait = Objects.requireNonNull(unknownIdWait, "unknownIdWait");
    }

    /** Generic records as version {@code readerVersion} of the dataset's value schema. */
    public static <R> DatasetDeserializer<R> readingVersion(MetadataCatalog catalog, String datasetName,
                                                            int readerVersion, Duration unknownIdWait) {
        return new DatasetDeserializer<>(catalog, Objects.requireNonNull(datasetName, "datasetName"),
            ReaderChoice.VERSION, readerVersion, null, unknownIdWait);
    }

    /** Generic records as the dataset's latest value schema (chosen on the first record, then fixed). */
    public static <R> DatasetDeserializer<R> readingLatest(MetadataCatalog catalog, String datasetName,
                                                           Duration unknownIdWait) {
        return new DatasetDeserializer<>(catalog, Objects.requireNonNull(datasetName, "datasetName"),
            ReaderChoice.LATEST, 0, null, unknownIdWait);
    }

    /**
     * Generic records with only {@code fields} of the dataset's latest value schema (chosen on the first record, then
     * fixed): Avro skips the other fields' bytes instead of building them, which is what a job that reads a few fields
     * of wide records wants. A field the latest schema does not have is an error when the first record is read.
     */
    public static <R> DatasetDeserializer<R> readingProjection(MetadataCatalog catalog, String datasetName,
                                                               List<String> fields, Duration unknownIdWait) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("A projection needs at least one field");
        }
        return new DatasetDeserializer<>(catalog, Objects.requireNonNull(datasetName, "datasetName"),
            ReaderChoice.PROJECTION, 0, null, fields, unknownIdWait);
    }

    /** Instances of a generated SpecificRecord class, resolved to that class's schema. */
    public static <R extends SpecificRecord> DatasetDeserializer<R> readingSpecific(MetadataCatalog catalog,
                                                                                   String datasetName,
                                                                                   Class<R> recordClass,
                                                                                   Duration unknownIdWait) {
        return new DatasetDeserializer<>(catalog, Objects.requireNonNull(datasetName, "datasetName"),
            ReaderChoice.SPECIFIC, 0, Objects.requireNonNull(recordClass, "recordClass"), unknownIdWait);
    }

    /**
     * Generic records each in the schema it was written with. With a dataset name, ids of other subjects are refused;
     * with null, any registered id is read.
     */
    public static <R> DatasetDeserializer<R> readingAsWritten(MetadataCatalog catalog, String datasetName,
                                                              Duration unknownIdWait) {
        return new DatasetDeserializer<>(catalog, datasetName, ReaderChoice.AS_WRITTEN, 0, null, unknownIdWait);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < WireFormat.HEADER_LENGTH) {
            if (data.length > 0 && data[0] != WireFormat.MAGIC_BYTE) {
                throw failure(WireFormatException.Reason.WRONG_MAGIC_BYTE, topic, null,
                    "first byte is " + (data[0] & 0xFF) + ", expected " + WireFormat.MAGIC_BYTE, null);
            }
            throw failure(WireFormatException.Reason.TRUNCATED, topic, null, "value has " + data.length
                + " bytes, fewer than the " + WireFormat.HEADER_LENGTH + "-byte header", null);
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw failure(WireFormatException.Reason.WRONG_MAGIC_BYTE, topic, null,
                "first byte is " + (data[0] & 0xFF) + ", expected " + WireFormat.MAGIC_BYTE, null);
        }
        int schemaId = WireFormat.schemaId(data);
        DecoderState state = decoderState();
        Binding binding = state.lastBinding;
        if (binding == null || binding.writerId != schemaId) {
            binding = state.bindings.get(schemaId);
            if (binding == null) {
                binding = bind(topic, schemaId);
                state.bindings.put(schemaId, binding);
            }
            state.lastBinding = binding;
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_LENGTH,
            data.length - WireFormat.HEADER_LENGTH, state.decoder);
        state.decoder = decoder;
        T record;
        try {
            record = binding.reader.read(null, decoder);
        } catch (EOFException exception) {
            throw failure(WireFormatException.Reason.TRUNCATED, topic, schemaId,
                "the Avro data ends before the record does (" + (data.length - WireFormat.HEADER_LENGTH)
                    + " bytes after the header)", exception);
        } catch (IOException | RuntimeException exception) {
            throw failure(WireFormatException.Reason.UNDECODABLE, topic, schemaId,
                "cannot decode with writer schema " + binding.writerDescription + " as " + binding.readerDescription
                    + ": " + exception, exception);
        }
        try {
            if (!decoder.isEnd()) {
                throw failure(WireFormatException.Reason.UNDECODABLE, topic, schemaId,
                    "bytes are left over after the record; the value is not one record of schema "
                        + binding.writerDescription, null);
            }
        } catch (IOException exception) {
            throw failure(WireFormatException.Reason.UNDECODABLE, topic, schemaId, exception.toString(), exception);
        }
        return record;
    }

    /**
     * This thread's decoder state. The first thread to use the deserializer keeps its state in a field checked by
     * thread identity, which spares the common single-threaded consumer a thread-local map lookup per record; other
     * threads use the thread-local.
     */
    private DecoderState decoderState() {
        DecoderState owner = ownerState;
        if (owner != null && owner.thread == Thread.currentThread()) {
            return owner;
        }
        DecoderState state = decoderStates.get();
        if (owner == null) {
            ownerState = state;
        }
        return state;
    }

    /** Deserializes a consumed record, locating any failure at its topic, partition and offset. */
    public T deserialize(ConsumerRecord<?, byte[]> record) {
        try {
            return deserialize(record.topic(), record.value());
        } catch (WireFormatException exception) {
            throw exception.at(record.partition(), record.offset());
        }
    }

    /**
     * Builds this thread's binding for a writer id. Each thread gets its own datum reader: Avro's reader resolves
     * fastest on the thread that created it, and falls back to a thread-local cache lookup per record on others.
     */
    private Binding bind(String topic, int schemaId) {
        Optional<SchemaVersion> writer = catalog.awaitSchemaById(schemaId, unknownIdWait);
        if (writer.isEmpty()) {
            throw failure(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, topic, schemaId, "schema id " + schemaId
                + " is not registered (highest known id is " + catalog.maximumSchemaId() + ")", null);
        }
        ReaderSchema reader = readerSchema(topic);
        SchemaVersion writerVersion = writer.get();
        if (reader.subject != null && !reader.subject.equals(writerVersion.subject())) {
            throw failure(WireFormatException.Reason.UNDECODABLE, topic, schemaId, "schema id " + schemaId
                + " belongs to subject " + writerVersion.subject() + ", not to " + reader.subject + " of dataset "
                + datasetName, null);
        }
        return new Binding(schemaId, datumReader(writerVersion, reader),
            writerVersion.subject() + " version " + writerVersion.version(), reader.description);
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> datumReader(SchemaVersion writer, ReaderSchema reader) {
        switch (readerChoice) {
            case SPECIFIC:
                return new SpecificDatumReader<>(writer.schema(), reader.schema, SpecificData.getForClass(specificClass));
            case AS_WRITTEN:
                return new GenericDatumReader<>(writer.schema(), writer.schema());
            default:
                return new GenericDatumReader<>(writer.schema(), reader.schema);
        }
    }

    private synchronized ReaderSchema readerSchema(String topic) {
        ReaderSchema result = readerSchema;
        if (result != null) {
            return result;
        }
        if (readerChoice == ReaderChoice.AS_WRITTEN) {
            String subject = datasetName == null ? null : catalog.dataset(datasetName)
                .map(dataset -> dataset.metadata().valueSubject())
                .orElseThrow(() -> unknownDataset(topic));
            result = new ReaderSchema(null, 0, subject, "the writer schema");
        } else {
            String subject = catalog.dataset(datasetName)
                .map(dataset -> dataset.metadata().valueSubject())
                .orElseThrow(() -> unknownDataset(topic));
            switch (readerChoice) {
                case SPECIFIC:
                    Schema classSchema = SpecificData.get().getSchema(specificClass);
                    result = new ReaderSchema(classSchema, 0, subject, "class " + specificClass.getName());
                    break;
                case LATEST:
                    SchemaVersion latest = catalog.latestSchemaVersion(subject).orElseThrow(() -> failure(
                        WireFormatException.Reason.UNKNOWN_SCHEMA_ID, topic, null,
                        "subject " + subject + " has no active schema version to read as", null));
                    result = new ReaderSchema(latest.schema(), latest.id(), subject,
                        subject + " version " + latest.version() + " (latest when first used)");
                    break;
                case PROJECTION:
                    SchemaVersion projected = catalog.latestSchemaVersion(subject).orElseThrow(() -> failure(
                        WireFormatException.Reason.UNKNOWN_SCHEMA_ID, topic, null,
                        "subject " + subject + " has no active schema version to read as", null));
                    result = new ReaderSchema(projection(projected.schema(), topic), projected.id(), subject,
                        "fields " + projectedFields + " of " + subject + " version " + projected.version() + " (latest when first used)");
                    break;
                default:
                    SchemaVersion version = catalog.schemaVersion(subject, readerVersionNumber).orElseThrow(() ->
                        failure(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, topic, null,
                            "subject " + subject + " has no version " + readerVersionNumber + " to read as", null));
                    result = new ReaderSchema(version.schema(), version.id(), subject,
                        subject + " version " + version.version());
                    break;
            }
        }
        readerSchema = result;
        return result;
    }

    private Schema projection(Schema schema, String topic) {
        List<Schema.Field> fields = new ArrayList<>();
        for (String name : projectedFields) {
            Schema.Field field = schema.getField(name);
            if (field == null) {
                throw failure(WireFormatException.Reason.UNDECODABLE, topic, null, "the projection's field '" + name
                    + "' is not in " + schema.getFullName() + ", which has " + schema.getFields().stream().map(Schema.Field::name).toList(), null);
            }
            fields.add(new Schema.Field(field, field.schema()));
        }
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /** The reader schema in use, once the first record has chosen it. */
    public Optional<Schema> readerSchema() {
        ReaderSchema result = readerSchema;
        return result == null ? Optional.empty() : Optional.ofNullable(result.schema);
    }

    private WireFormatException unknownDataset(String topic) {
        return failure(WireFormatException.Reason.UNKNOWN_DATASET, topic, null,
            "dataset '" + datasetName + "' is not registered", null);
    }

    private static WireFormatException failure(WireFormatException.Reason reason, String topic,
                                               Integer schemaId, String detail, Throwable cause) {
        return new WireFormatException(reason, topic, schemaId, null, detail, cause);
    }

    private static final class ReaderSchema {

        private final Schema schema;
        private final int id;
        private final String subject;
        private final String description;

        ReaderSchema(Schema schema, int id, String subject, String description) {
            this.schema = schema;
            this.id = id;
            this.subject = subject;
            this.description = description;
        }
    }

    private final class Binding {

        private final int writerId;
        private final DatumReader<T> reader;
        private final String writerDescription;
        private final String readerDescription;

        Binding(int writerId, DatumReader<T> reader, String writerDescription,
                String readerDescription) {
            this.writerId = writerId;
            this.reader = reader;
            this.writerDescription = writerDescription;
            this.readerDescription = readerDescription;
        }
    }

    private final class DecoderState {

        private final Thread thread = Thread.currentThread();
        private final Map<Integer, Binding> bindings = new HashMap<>();
        private BinaryDecoder decoder;
        private Binding lastBinding;
    }
}
