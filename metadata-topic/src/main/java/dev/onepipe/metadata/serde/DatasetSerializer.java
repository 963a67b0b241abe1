package dev.onepipe.metadata.serde;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaIdentity;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes Avro records (generic or specific) of one dataset into the wire format, refusing any record that is not
 * valid for a registered schema of the dataset before a byte is produced.
 *
 * <p>The writer schema is the record's own schema, which must be an active registered version of the dataset's value
 * subject (same {@link SchemaIdentity}); its id goes into the header. Old producers therefore keep writing the
 * version they were built for. The binding from a schema object to its version, writer and header is resolved once
 * and reused for every record until the catalog changes; the output buffer and encoder are reused per thread.
 * Thread-safe: Kafka Streams shares one serializer between its stream threads.
 */
public final class DatasetSerializer<T extends IndexedRecord> implements Serializer<T> {

    private static final int INITIAL_BUFFER_SIZE = 512;
    private static final int MAXIMUM_BINDINGS = 1024;

    private final MetadataCatalog catalog;
    private final String datasetName;
    private final Map<Schema, SchemaIdentity> identities = new ConcurrentHashMap<>();
    private final Map<IdentityKey, Binding> bindings = new ConcurrentHashMap<>();
    private final ThreadLocal<EncoderState> encoderStates = ThreadLocal.withInitial(EncoderState::new);
    private volatile EncoderState ownerState;
    private volatile Binding lastBinding;

    public DatasetSerializer(MetadataCatalog catalog, String datasetName) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.datasetName = Objects.requireNonNull(datasetName, "datasetName");
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Binding binding = bind(topic, record);
        EncoderState state = encoderState();
        state.output.reset();
        state.output.write(binding.header, 0, WireFormat.HEADER_LENGTH);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(state.output, state.encoder);
        state.encoder = encoder;
        try {
            binding.writer.write(record, encoder);
            encoder.flush();
        } catch (InvalidDatumException exception) {
            throw invalid(topic, binding.version.id(), exception.fieldPath(), exception.getMessage()
                + " (schema " + binding.version.subject() + " version " + binding.version.version() + ")");
        } catch (IOException exception) {
            throw new WireFormatException(WireFormatException.Reason.INVALID_FOR_SCHEMA, topic, binding.version.id(),
                null, "could not encode: " + exception.getMessage(), exception);
        }
        return state.output.toByteArray();
    }

    /**
     * This thread's encoder state: the first thread to use the serializer finds it in a field checked by thread
     * identity (no thread-local map lookup per record), other threads in the thread-local.
     */
    private EncoderState encoderState() {
        EncoderState owner = ownerState;
        if (owner != null && owner.thread == Thread.currentThread()) {
            return owner;
        }
        EncoderState state = encoderStates.get();
        if (owner == null) {
            ownerState = state;
        }
        return state;
    }

    /** The registered schema version a record would be written with, or the reason it cannot be written. */
    public SchemaVersion schemaVersionFor(String topic, T record) {
        return bind(topic, record).version;
    }

    private Binding bind(String topic, IndexedRecord record) {
        Schema schema = record.getSchema();
        Class<?> recordClass = record.getClass();
        long catalogChange = catalog.appliedRecordCount();
        Binding last = lastBinding;
        if (last != null && last.schema == schema && last.recordClass == recordClass && last.catalogChange == catalogChange) {
            return last;
        }
        boolean specific = record instanceof SpecificRecord;
        IdentityKey key = new IdentityKey(schema, recordClass);
        Binding binding = bindings.get(key);
        if (binding == null || binding.catalogChange != catalogChange) {
            binding = createBinding(topic, schema, recordClass, specific, catalogChange, binding);
            if (bindings.size() >= MAXIMUM_BINDINGS) {
                // callers that build a new schema object per record must not grow this without bound
                bindings.clear();
                identities.clear();
            }
            bindings.put(key, binding);
        }
        lastBinding = binding;
        return binding;
    }

    private Binding createBinding(String topic, Schema schema, Class<?> recordClass,
                                  boolean specific, long catalogChange, Binding previous) {
        Optional<DatasetVersion> dataset = catalog.dataset(datasetName);
        if (dataset.isEmpty()) {
            throw new WireFormatException(WireFormatException.Reason.UNKNOWN_DATASET, topic, null, null,
                "dataset '" + datasetName + "' is not registered" + (catalog.latestDatasetVersion(datasetName).isPresent()
                    ? " (it is soft-deleted)" : ""), null);
        }
        String subject = dataset.get().metadata().valueSubject();
        SchemaIdentity identity = identities.computeIfAbsent(schema, SchemaIdentity::of);
        Optional<SchemaVersion> version = catalog.findSchemaVersion(subject, identity);
        if (version.isEmpty()) {
            String latest = catalog.latestSchemaVersion(subject)
                .map(latestVersion -> "latest is version " + latestVersion.version() + ", id " + latestVersion.id())
                .orElse("it has no active version");
            throw new WireFormatException(WireFormatException.Reason.UNREGISTERED_SCHEMA, topic, null, null,
                "the record's schema " + schema.getFullName() + " (fingerprint " + identity.fingerprint()
                    + ") is not an active registered version of subject " + subject + " (" + latest + ")", null);
        }
        if (previous != null && previous.version.id() == version.get().id()) {
            return new Binding(schema, recordClass, catalogChange, version.get(), previous.writer);
        }
        GenericData data = specific ? SpecificData.getForSchema(schema) : GenericData.get();
        return new Binding(schema, recordClass, catalogChange, version.get(), new ValidatingDatumWriter(schema, data));
    }

    private static WireFormatException invalid(String topic, int schemaId, String fieldPath,
                                               String detail) {
        return new WireFormatException(WireFormatException.Reason.INVALID_FOR_SCHEMA, topic, schemaId,
            fieldPath == null ? "(record)" : fieldPath, detail, null);
    }

    private static final class Binding {

        private final Schema schema;
        private final Class<?> recordClass;
        private final long catalogChange;
        private final SchemaVersion version;
        private final ValidatingDatumWriter writer;
        private final byte[] header;

        Binding(Schema schema, Class<?> recordClass, long catalogChange, SchemaVersion version,
                ValidatingDatumWriter writer) {
            this.schema = schema;
            this.recordClass = recordClass;
            this.catalogChange = catalogChange;
            this.version = version;
            this.writer = writer;
            this.header = WireFormat.header(version.id());
        }
    }

    /**
     * Keys bindings by schema object identity and record class: equal schemas from different sources get their own
     * binding, and generic and specific records of one schema get writers of their own data model.
     */
    private static final class IdentityKey {

        private final Schema schema;
        private final Class<?> recordClass;

        IdentityKey(Schema schema, Class<?> recordClass) {
            this.schema = schema;
            this.recordClass = recordClass;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof IdentityKey && ((IdentityKey) other).schema == schema
                && ((IdentityKey) other).recordClass == recordClass;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(schema) * 31 + recordClass.hashCode();
        }
    }

    private static final class EncoderState {

        private final Thread thread = Thread.currentThread();
        private final GrowableOutputStream output = new GrowableOutputStream(INITIAL_BUFFER_SIZE);
        private BinaryEncoder encoder;
    }
}
