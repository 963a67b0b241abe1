package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class MetadataEntryCodecTest {

    private static final DatasetMetadata FULL_METADATA = DatasetMetadata.builder("widgets")
        .topic("widgets-topic")
        .valueSubject("widgets-subject")
        .uniqueKey("widget_id", "region")
        .ordering("updated_at")
        .eventTimeField("updated_at")
        .merge(MergeStrategy.vectorClock("clock"))
        .compatibility(CompatibilityMode.FULL_TRANSITIVE)
        .archive(ArchiveSettings.of(false, "avro"))
        .dedupHorizon(java.time.Duration.ofHours(36))
        .addReconciliation(ReconciliationCheck.of("distinct", ReconciliationCheck.Kind.COUNT_DISTINCT, null))
        .addReconciliation(ReconciliationCheck.of("revenue", ReconciliationCheck.Kind.SUM, "price"))
        .owner("team")
        .description("all of it")
        .topicSettings(TopicSettings.of(12, 3, -1L, "compact"))
        .build();

    @Test
    void schemaVersionRoundTripsWithCanonicalFormFingerprintAndFullSchema() {
        final SchemaVersion version = SchemaVersion.create("widgets-value", 4, 17, TestRegistry.parse(TestRegistry.WIDGETS_V2),
            Instant.parse("2025-01-02T03:04:05.678Z")).withDeleted(true);
        final MetadataRecord record = MetadataEntryCodec.encode(version);
        assertArrayEquals("schema/widgets-value/4".getBytes(StandardCharsets.US_ASCII), record.key());
        assertEquals(MetadataEntryCodec.FORMAT_VERSION, record.value()[0]);

        final SchemaVersion decoded = (SchemaVersion) MetadataEntryCodec.decode(record.key(), record.value());
        assertEquals(version, decoded);
        assertEquals(17, decoded.id());
        assertTrue(decoded.deleted());
        assertEquals(SchemaNormalization.toParsingForm(TestRegistry.parse(TestRegistry.WIDGETS_V2)), decoded.canonicalForm());
        assertEquals(SchemaNormalization.parsingFingerprint64(TestRegistry.parse(TestRegistry.WIDGETS_V2)),
            decoded.fingerprint());
        assertEquals("unpainted", decoded.schema().getField("color").defaultVal());
        assertEquals("timestamp-millis", decoded.schema().getField("updated_at").schema().getLogicalType().getName());
    }

    @Test
    void datasetVersionRoundTripsEveryAttribute() {
        final DatasetVersion version = new DatasetVersion(FULL_METADATA, 2, Instant.parse("2025-01-02T03:04:05Z"), false);
        final MetadataRecord record = MetadataEntryCodec.encode(version);
        assertArrayEquals("dataset/widgets/2".getBytes(StandardCharsets.US_ASCII), record.key());
        final DatasetVersion decoded = (DatasetVersion) MetadataEntryCodec.decode(record.key(), record.value());
        assertEquals(version, decoded);
        assertEquals(FULL_METADATA, decoded.metadata());
    }

    @Test
    void datasetEntriesAreFormatTwoAndFormatOneEntriesStillDecodeWithDefaultTopicSettingsAndDedupHorizon() throws Exception {
        final DatasetVersion version = new DatasetVersion(FULL_METADATA, 2, Instant.parse("2025-01-02T03:04:05Z"), false);
        final MetadataRecord record = MetadataEntryCodec.encode(version);
        assertEquals(MetadataEntryCodec.DATASET_FORMAT_VERSION, record.value()[0]);
        assertEquals(TopicSettings.of(12, 3, -1L, "compact"),
            ((DatasetVersion) MetadataEntryCodec.decode(record.key(), record.value())).metadata().topicSettings());

        // An entry as a release before topic settings wrote it: format byte 1, the format 1 schema.
        final org.apache.avro.generic.GenericRecord current = new org.apache.avro.generic.GenericDatumReader<
            org.apache.avro.generic.GenericRecord>(MetadataEntryCodec.DATASET_ENTRY).read(null,
            org.apache.avro.io.DecoderFactory.get().binaryDecoder(record.value(), 1, record.value().length - 1, null));
        final org.apache.avro.generic.GenericData.Record old =
            new org.apache.avro.generic.GenericData.Record(MetadataEntryCodec.DATASET_ENTRY_FORMAT_1);
        for (final org.apache.avro.Schema.Field field : MetadataEntryCodec.DATASET_ENTRY_FORMAT_1.getFields()) {
            old.put(field.name(), current.get(field.name()));
        }
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.write(1);
        final org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(bytes, null);
        new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(
            MetadataEntryCodec.DATASET_ENTRY_FORMAT_1).write(old, encoder);
        encoder.flush();

        final DatasetVersion decoded = (DatasetVersion) MetadataEntryCodec.decode(record.key(), bytes.toByteArray());
        assertEquals(TopicSettings.DEFAULT, decoded.metadata().topicSettings());
        assertEquals(DatasetMetadata.DEFAULT_DEDUP_HORIZON, decoded.metadata().dedupHorizon());
        assertEquals(FULL_METADATA.toBuilder().topicSettings(TopicSettings.DEFAULT).dedupHorizon(DatasetMetadata.DEFAULT_DEDUP_HORIZON).build(),
            decoded.metadata());
    }

    @Test
    void tombstoneDecodesToNull() {
        assertEquals(null, MetadataEntryCodec.decode("dataset/widgets/2".getBytes(StandardCharsets.US_ASCII), null));
    }

    @Test
    void rejectsUnknownFormatTruncatedValuesAndMismatchedKeys() {
        final MetadataRecord record = MetadataEntryCodec.encode(new DatasetVersion(FULL_METADATA, 2, Instant.EPOCH, false));
        final byte[] otherFormat = record.value().clone();
        otherFormat[0] = 3;
        assertThrows(InvalidMetadataEntryException.class, () -> MetadataEntryCodec.decode(record.key(), otherFormat));
        assertThrows(InvalidMetadataEntryException.class,
            () -> MetadataEntryCodec.decode(record.key(), Arrays.copyOf(record.value(), record.value().length / 2)));
        final byte[] trailing = Arrays.copyOf(record.value(), record.value().length + 1);
        assertThrows(InvalidMetadataEntryException.class, () -> MetadataEntryCodec.decode(record.key(), trailing));
        assertThrows(InvalidMetadataEntryException.class,
            () -> MetadataEntryCodec.decode("dataset/widgets/3".getBytes(StandardCharsets.US_ASCII), record.value()));
        assertThrows(InvalidMetadataEntryException.class,
            () -> MetadataEntryCodec.decode("schema/widgets/2".getBytes(StandardCharsets.US_ASCII), record.value()));
        assertThrows(InvalidMetadataEntryException.class,
            () -> MetadataEntryCodec.decode("dataset/widgets/02".getBytes(StandardCharsets.US_ASCII), record.value()));
    }

    @Test
    void catalogSkipsAndCountsRecordsItCannotDecode() {
        final MetadataCatalog catalog = new MetadataCatalog();
        final MetadataRecord record = MetadataEntryCodec.encode(new DatasetVersion(FULL_METADATA, 1, Instant.EPOCH, false));
        catalog.apply("dataset/widgets/01".getBytes(StandardCharsets.US_ASCII), record.value());
        catalog.apply(record.key(), new byte[] {1, 2, 3});
        assertEquals(2, catalog.skippedRecordCount());
        assertTrue(catalog.dataset("widgets").isEmpty());
        catalog.apply(record);
        assertEquals(FULL_METADATA, catalog.dataset("widgets").orElseThrow().metadata());
    }
}
