package dev.onepipe.metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Encodes metadata entries to topic records and back. A value is one format byte followed by the Avro binary encoding
 * of {@link #SCHEMA_VERSION_ENTRY} (format {@value #FORMAT_VERSION}) or {@link #DATASET_ENTRY} (format
 * {@value #DATASET_FORMAT_VERSION}); the format byte lets a release change these schemas and still read every entry
 * already in the topic: a format 1 dataset entry, written before topic settings and the dedup horizon existed, is read
 * with the default topic settings and horizon.
 */
public final class MetadataEntryCodec {

    public static final byte FORMAT_VERSION = 1;
    /** The format byte of dataset entries since they carry topic settings; format 1 entries are still read. */
    public static final byte DATASET_FORMAT_VERSION = 2;

    public static final Schema SCHEMA_VERSION_ENTRY = new Schema.Parser().parse("""
        {"type": "record", "name": "SchemaVersionEntry", "namespace": "dev.onepipe.metadata.entry", "fields": [
          {"name": "subject", "type": "string"},
          {"name": "version", "type": "int"},
          {"name": "id", "type": "int"},
          {"name": "canonicalSchema", "type": "string", "doc": "Avro parsing canonical form"},
          {"name": "schema", "type": "string", "doc": "full schema JSON: keeps defaults, aliases and logical types"},
          {"name": "fingerprint", "type": "long", "doc": "SchemaNormalization.parsingFingerprint64"},
          {"name": "registeredAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "deleted", "type": "boolean", "default": false}
        ]}""");

    /** Dataset entries as format {@value #DATASET_FORMAT_VERSION} writes them: format 1 plus the topic settings and the dedup horizon. */
    public static final Schema DATASET_ENTRY = new Schema.Parser().parse("""
        {"type": "record", "name": "DatasetEntry", "namespace": "dev.onepipe.metadata.entry", "fields": [
          {"name": "name", "type": "string"},
          {"name": "version", "type": "int"},
          {"name": "topic", "type": "string"},
          {"name": "valueSubject", "type": "string"},
          {"name": "uniqueKey", "type": {"type": "array", "items": "string"}},
          {"name": "ordering", "type": {"type": "array", "items": "string"}},
          {"name": "eventTimeField", "type": ["null", "string"], "default": null},
          {"name": "mergeStrategy", "type": "string"},
          {"name": "mergeField", "type": ["null", "string"], "default": null},
          {"name": "compatibility", "type": "string"},
          {"name": "archiveEnabled", "type": "boolean"},
          {"name": "archiveFormat", "type": "string"},
          {"name": "reconciliation", "type": {"type": "array", "items": {
            "type": "record", "name": "ReconciliationCheckEntry", "fields": [
              {"name": "name", "type": "string"},
              {"name": "kind", "type": "string"},
              {"name": "field", "type": ["null", "string"], "default": null}
            ]}}},
          {"name": "owner", "type": ["null", "string"], "default": null},
          {"name": "description", "type": ["null", "string"], "default": null},
          {"name": "registeredAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "deleted", "type": "boolean", "default": false},
          {"name": "topicSettings", "type": ["null", {"type": "record", "name": "TopicSettingsEntry", "fields": [
            {"name": "partitions", "type": "int"},
            {"name": "replicationFactor", "type": "int", "doc": "0: min(3, brokers)"},
            {"name": "retentionMs", "type": "long"},
            {"name": "cleanupPolicy", "type": "string"}
          ]}], "default": null},
          {"name": "dedupHorizonMs", "type": "long", "default": 604800000}
        ]}""");

    /** Dataset entries of format 1, read into {@link #DATASET_ENTRY} by Avro schema resolution (the new fields take their defaults). */
    static final Schema DATASET_ENTRY_FORMAT_1 = new Schema.Parser().parse("""
        {"type": "record", "name": "DatasetEntry", "namespace": "dev.onepipe.metadata.entry", "fields": [
          {"name": "name", "type": "string"},
          {"name": "version", "type": "int"},
          {"name": "topic", "type": "string"},
          {"name": "valueSubject", "type": "string"},
          {"name": "uniqueKey", "type": {"type": "array", "items": "string"}},
          {"name": "ordering", "type": {"type": "array", "items": "string"}},
          {"name": "eventTimeField", "type": ["null", "string"], "default": null},
          {"name": "mergeStrategy", "type": "string"},
          {"name": "mergeField", "type": ["null", "string"], "default": null},
          {"name": "compatibility", "type": "string"},
          {"name": "archiveEnabled", "type": "boolean"},
          {"name": "archiveFormat", "type": "string"},
          {"name": "reconciliation", "type": {"type": "array", "items": {
            "type": "record", "name": "ReconciliationCheckEntry", "fields": [
              {"name": "name", "type": "string"},
              {"name": "kind", "type": "string"},
              {"name": "field", "type": ["null", "string"], "default": null}
            ]}}},
          {"name": "owner", "type": ["null", "string"], "default": null},
          {"name": "description", "type": ["null", "string"], "default": null},
          {"name": "registeredAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "deleted", "type": "boolean", "default": false}
        ]}""");

    private static final Schema TOPIC_SETTINGS_ENTRY =
        DATASET_ENTRY.getField("topicSettings").schema().getTypes().get(1);

    private static final Schema RECONCILIATION_CHECK_ENTRY =
        DATASET_ENTRY.getField("reconciliation").schema().getElementType();

    private MetadataEntryCodec() {
    }

    public static MetadataRecord encode(MetadataEntry entry) {
        return new MetadataRecord(entry.key().toBytes(), encodeValue(entry));
    }

    public static byte[] encodeValue(MetadataEntry entry) {
        if (entry instanceof SchemaVersion) {
            return write(FORMAT_VERSION, SCHEMA_VERSION_ENTRY, toRecord((SchemaVersion) entry));
        }
        return write(DATASET_FORMAT_VERSION, DATASET_ENTRY, toRecord((DatasetVersion) entry));
    }

    /**
     * Decodes a record; a null value (tombstone) yields null.
     *
     * @throws InvalidMetadataEntryException when the key is not canonical or the value does not decode or does not
     *                                       match its key
     */
    public static MetadataEntry decode(byte[] key, byte[] value) {
        return decode(key, value, MetadataEntryCodec::parseSchema);
    }

    /**
     * Decodes a record, parsing schema texts with the given function (the catalog passes one that reuses schemas it
     * has already parsed).
     */
    static MetadataEntry decode(byte[] key, byte[] value, Function<String, Schema> schemaParser) {
        MetadataKey metadataKey = decodeKey(key);
        if (value == null) {
            return null;
        }
        boolean knownFormat = value.length > 0 && (value[0] == FORMAT_VERSION
            || metadataKey.kind() == MetadataKey.Kind.DATASET && value[0] == DATASET_FORMAT_VERSION);
        if (!knownFormat) {
            throw new InvalidMetadataEntryException("Entry " + metadataKey + " has unknown value format "
                + (value.length == 0 ? "(empty)" : Byte.toString(value[0])));
        }
        MetadataEntry entry;
        try {
            if (metadataKey.kind() == MetadataKey.Kind.SCHEMA) {
                entry = toSchemaVersion(read(SCHEMA_VERSION_ENTRY, SCHEMA_VERSION_ENTRY, value), schemaParser);
            } else {
                entry = toDatasetVersion(read(value[0] == FORMAT_VERSION ? DATASET_ENTRY_FORMAT_1 : DATASET_ENTRY,
                    DATASET_ENTRY, value));
            }
        } catch (RuntimeException | IOException exception) {
            throw new InvalidMetadataEntryException("Entry " + metadataKey + " does not decode: " + exception.getMessage(),
                exception);
        }
        if (!entry.key().equals(metadataKey)) {
            throw new InvalidMetadataEntryException("Entry stored under " + metadataKey + " describes " + entry.key());
        }
        return entry;
    }

    /** @throws InvalidMetadataEntryException when the bytes are not the canonical encoding of a key */
    public static MetadataKey decodeKey(byte[] key) {
        return MetadataKey.parse(key).orElseThrow(() -> new InvalidMetadataEntryException(
            "Not a canonical metadata key: " + (key == null ? "null" : "'" + new String(key,
                java.nio.charset.StandardCharsets.ISO_8859_1) + "'")));
    }

    static Schema parseSchema(String json) {
        return new Schema.Parser().parse(json);
    }

    private static GenericRecord toRecord(SchemaVersion version) {
        GenericRecord record = new GenericData.Record(SCHEMA_VERSION_ENTRY);
        record.put("subject", version.subject());
        record.put("version", version.version());
        record.put("id", version.id());
        record.put("canonicalSchema", version.canonicalForm());
        record.put("schema", version.schemaJson());
        record.put("fingerprint", version.fingerprint());
        record.put("registeredAt", version.registeredAt().toEpochMilli());
        record.put("deleted", version.deleted());
        return record;
    }

    private static SchemaVersion toSchemaVersion(GenericRecord record, Function<String, Schema> schemaParser) {
        String schemaJson = record.get("schema").toString();
        return new SchemaVersion(record.get("subject").toString(), (Integer) record.get("version"),
            (Integer) record.get("id"), schemaParser.apply(schemaJson), schemaJson,
            record.get("canonicalSchema").toString(), (Long) record.get("fingerprint"),
            Instant.ofEpochMilli((Long) record.get("registeredAt")), (Boolean) record.get("deleted"));
    }

    private static GenericRecord toRecord(DatasetVersion version) {
        DatasetMetadata metadata = version.metadata();
        GenericRecord record = new GenericData.Record(DATASET_ENTRY);
        record.put("name", metadata.name());
        record.put("version", version.version());
        record.put("topic", metadata.topic());
        record.put("valueSubject", metadata.valueSubject());
        record.put("uniqueKey", new ArrayList<>(metadata.uniqueKey()));
        record.put("ordering", new ArrayList<>(metadata.ordering()));
        record.put("eventTimeField", metadata.eventTimeField().orElse(null));
        record.put("mergeStrategy", metadata.merge().kind().name());
        record.put("mergeField", metadata.merge().field().orElse(null));
        record.put("compatibility", metadata.compatibility().name());
        record.put("archiveEnabled", metadata.archive().enabled());
        record.put("archiveFormat", metadata.archive().format());
        List<GenericRecord> checks = new ArrayList<>();
        for (ReconciliationCheck check : metadata.reconciliation()) {
            GenericRecord checkRecord = new GenericData.Record(RECONCILIATION_CHECK_ENTRY);
            checkRecord.put("name", check.name());
            checkRecord.put("kind", check.kind().name());
            checkRecord.put("field", check.field().orElse(null));
            checks.add(checkRecord);
        }
        record.put("reconciliation", checks);
        record.put("owner", metadata.owner().orElse(null));
        record.put("description", metadata.description().orElse(null));
        record.put("registeredAt", version.registeredAt().toEpochMilli());
        record.put("deleted", version.deleted());
        TopicSettings topicSettings = metadata.topicSettings();
        GenericRecord settingsRecord = new GenericData.Record(TOPIC_SETTINGS_ENTRY);
        settingsRecord.put("partitions", topicSettings.partitions());
        settingsRecord.put("replicationFactor", topicSettings.replicationFactor().orElse(0));
        settingsRecord.put("retentionMs", topicSettings.retentionMs());
        settingsRecord.put("cleanupPolicy", topicSettings.cleanupPolicy());
        record.put("topicSettings", settingsRecord);
        record.put("dedupHorizonMs", metadata.dedupHorizon().toMillis());
        return record;
    }

    private static DatasetVersion toDatasetVersion(GenericRecord record) {
        DatasetMetadata.Builder builder = DatasetMetadata.builder(record.get("name").toString())
            .topic(record.get("topic").toString())
            .valueSubject(record.get("valueSubject").toString())
            .uniqueKey(strings(record.get("uniqueKey")))
            .ordering(strings(record.get("ordering")))
            .eventTimeField(text(record.get("eventTimeField")))
            .merge(MergeStrategy.of(MergeStrategy.Kind.valueOf(record.get("mergeStrategy").toString()),
                text(record.get("mergeField"))))
            .compatibility(CompatibilityMode.valueOf(record.get("compatibility").toString()))
            .archive(ArchiveSettings.of((Boolean) record.get("archiveEnabled"), record.get("archiveFormat").toString()))
            .dedupHorizon(java.time.Duration.ofMillis((Long) record.get("dedupHorizonMs")))
            .owner(text(record.get("owner")))
            .description(text(record.get("description")));
        GenericRecord settings = (GenericRecord) record.get("topicSettings");
        if (settings != null) {
            int replicationFactor = (Integer) settings.get("replicationFactor");
            builder.topicSettings(TopicSettings.of((Integer) settings.get("partitions"),
                replicationFactor == 0 ? null : replicationFactor, (Long) settings.get("retentionMs"),
                settings.get("cleanupPolicy").toString()));
        }
        for (Object check : (List<?>) record.get("reconciliation")) {
            GenericRecord checkRecord = (GenericRecord) check;
            builder.addReconciliation(ReconciliationCheck.of(checkRecord.get("name").toString(),
                ReconciliationCheck.Kind.valueOf(checkRecord.get("kind").toString()), text(checkRecord.get("field"))));
        }
        return new DatasetVersion(builder.build(), (Integer) record.get("version"),
            Instant.ofEpochMilli((Long) record.get("registeredAt")), (Boolean) record.get("deleted"));
    }

    private static List<String> strings(Object array) {
        List<String> result = new ArrayList<>();
        for (Object element : (List<?>) array) {
            result.add(element.toString());
        }
        return result;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static byte[] write(byte format, Schema schema, GenericRecord record) {
        ByteArrayOutputStream output = new ByteArrayOutputStream(256);
        output.write(format);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(output, null);
        try {
            new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
            encoder.flush();
        } catch (IOException exception) {
            throw new UncheckedIOException(exception);
        }
        return output.toByteArray();
    }

    private static GenericRecord read(Schema writer, Schema reader, byte[] value) throws IOException {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 1, value.length - 1, null);
        GenericRecord record = new GenericDatumReader<GenericRecord>(writer, reader).read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after the entry");
        }
        return record;
    }
}
