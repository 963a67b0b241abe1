package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.onepipe.archive.ArchiveTopology;
import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The clean side of {@code onepipe reconcile --dataset}: a clean topic and a clean Iceberg table made here with plain
 * Kafka and Iceberg APIs by dedup-streams' documented contract agree day by day; a row removed from the table is named
 * as a missing unique key, a row written twice as an extra one. The dataset topic holds the widgets' versions too, so
 * the third table (the raw side's merged state against the clean table, declared checks included) agrees as well.
 * As the contract says, the clean topic is registered as the dataset {@code <dataset>-clean} and its values carry
 * schema ids of that dataset's own subject, not the source dataset's: a reconcile that decoded them under the source's
 * subject would refuse every one. A clean value that cannot be read fails the pass with one line naming its key,
 * partition, offset and why. Once the topic's early offsets are gone (retention, here {@code DeleteRecords}), the raw
 * side's history below them comes from the raw archive the real archive topology wrote, in offset order across its
 * interleaved objects; an archive object lost below the log start is named by its offsets.
 */
class CleanReconciliationIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final Schema SCHEMA = SampleDatasets.schema(SampleDatasets.WIDGETS);
    private static final Instant DAY = Instant.parse("2026-11-22T00:00:00Z");
    /** Per partition of the dataset topic, the offset below which the test wrote everything (the table covers it). */
    private static final Map<Integer, Long> COVERED = new java.util.concurrent.ConcurrentHashMap<>();

    @TempDir
    Path stateRoot;

    @Test
    void comparesTheCleanTopicWithTheCleanTableAndNamesTheKeysThatDiffer() throws Exception {
        String dataset = RUNTIME.uniqueName("widgets");
        MetadataCatalog catalog = register(dataset);
        int schemaId = catalog.latestSchemaForDataset(dataset).orElseThrow().id();
        int cleanSchemaId = catalog.latestSchemaForDataset(dataset + "-clean").orElseThrow().id();
        assertTrue(schemaId != cleanSchemaId, "the clean dataset's schema has an id of its own subject");
        RUNTIME.createTopic(dataset, 2);
        RUNTIME.createTopic(dataset + "-clean", 2, Map.of("cleanup.policy", "compact"));

        // The test's own tally: the latest state of each widget, as dedup would leave it.
        Map<String, GenericRecord> latest = new TreeMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int version = 1; version <= 2; version++) {
                for (int index = 0; index < 60; index++) {
                    if (version == 2 && index % 3 != 0) {
                        continue;
                    }
                    GenericRecord widget = widget(index, version);
                    latest.put(widget.get("widget_id").toString(), widget);
                    producer.send(new ProducerRecord<>(dataset + "-clean", null, (Long) widget.get("updated_at"), widget.get("widget_id").toString(),
                            CleanDatasetContract.wireFormat(cleanSchemaId, widget)));
                }
            }
            producer.send(new ProducerRecord<>(dataset + "-clean", "widget-059", null));
            latest.remove("widget-059");
            // The dataset topic holds every version of the widgets still live, so its merged state (the raw side of
            // reconcile's third table) is the same latest state; the table covers all of it (its onepipe.offset.<p>).
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
            for (int version = 1; version <= 2; version++) {
                for (int index = 0; index < 59; index++) {
                    if (version == 2 && index % 3 != 0) {
                        continue;
                    }
                    GenericRecord widget = widget(index, version);
                    sent.add(producer.send(new ProducerRecord<>(dataset, null, (Long) widget.get("updated_at"), widget.get("widget_id").toString(),
                            CleanDatasetContract.wireFormat(schemaId, widget))));
                }
            }
            producer.flush();
            for (var metadata : sent) {
                COVERED.merge(metadata.get().partition(), metadata.get().offset() + 1, Math::max);
            }
        }

        Catalog iceberg = CatalogUtil.buildIcebergCatalog("onepipe", catalogProperties(), new org.apache.hadoop.conf.Configuration());
        ((SupportsNamespaces) iceberg).createNamespace(Namespace.of("clean"));
        org.apache.iceberg.Schema tableSchema = AvroSchemaUtil.toIceberg(SCHEMA);
        Table table = iceberg.createTable(TableIdentifier.of("clean", dataset), tableSchema,
                PartitionSpec.builderFor(tableSchema).day("updated_at").build());
        List<Record> rows = new ArrayList<>();
        latest.values().forEach(widget -> rows.add(row(tableSchema, widget)));
        append(table, rows);

        StringWriter healthy = new StringWriter();
        assertEquals(0, run(healthy, "reconcile", "--dataset", dataset, "--all"), healthy.toString());
        assertTrue(healthy.toString().contains("3 days: 3 OK"), healthy.toString());
        assertTrue(healthy.toString().contains("raw merged state of topic " + dataset), healthy.toString());
        long allOkTables = healthy.toString().lines().filter(line -> line.contains("3 days: 3 OK")).count();
        assertEquals(2, allOkTables, "clean topic and raw merged state both agree with the table:\n" + healthy);

        // One row removed from the table (its day's file rewritten without it): that unique key is MISSING.
        table.refresh();
        Record removed = rows.get(10);
        String removedKey = removed.getField("widget_id").toString();
        rewriteWithout(table, removedKey);
        StringWriter missing = new StringWriter();
        assertEquals(ReconcileCommand.DIFFERENCES, run(missing, "reconcile", "--dataset", dataset), missing.toString());
        assertTrue(missing.toString().matches("(?s).*\\n\\s+\\S+\\s+MISSING\\s+.*missing keys " + removedKey + "(;|\\n).*"), missing.toString());

        // The row back, and another row written twice by a writer that is not dedup (its snapshot carries no
        // onepipe.offset.<p>, as a manual fix or Iceberg maintenance would not): that unique key is EXTRA, the
        // table's input coverage taken from the last snapshot dedup wrote.
        table.refresh();
        append(table, List.of(removed));
        Record doubled = rows.get(20);
        table.refresh();
        var foreign = table.newAppend();
        write(table, List.of(doubled)).forEach(foreign::appendFile);
        foreign.commit();
        StringWriter extra = new StringWriter();
        assertEquals(ReconcileCommand.DIFFERENCES, run(extra, "reconcile", "--dataset", dataset), extra.toString());
        assertTrue(extra.toString().matches("(?s).*\\n\\s+\\S+\\s+EXTRA\\s+.*extra keys " + doubled.getField("widget_id") + "(;|\\n).*"), extra.toString());
        assertTrue(!extra.toString().contains("MISSING"), extra.toString());

        // A state root without dedup's catalog: a clear failure naming it, and no empty catalog created there.
        Path elsewhere = stateRoot.resolve("elsewhere");
        java.nio.file.Files.createDirectories(elsewhere);
        StringWriter noCatalog = new StringWriter();
        assertEquals(1, run(noCatalog, noCatalog, elsewhere, "reconcile", "--dataset", dataset), noCatalog.toString());
        assertTrue(noCatalog.toString().contains("The clean topic " + dataset + "-clean exists but the catalog jdbc:sqlite:"
                + elsewhere.resolve("iceberg-catalog.sqlite") + " of the clean table onepipe.clean." + dataset + " does not"), noCatalog.toString());
        assertTrue(!java.nio.file.Files.exists(elsewhere.resolve("iceberg-catalog.sqlite")), "no catalog file created");
    }

    @Test
    void aCleanValueThatCannotBeReadFailsThePassNamingItsKeyOffsetAndWhy() throws Exception {
        String dataset = RUNTIME.uniqueName("widgets");
        MetadataCatalog catalog = register(dataset);
        int sourceSchemaId = catalog.latestSchemaForDataset(dataset).orElseThrow().id();
        RUNTIME.createTopic(dataset, 1);
        RUNTIME.createTopic(dataset + "-clean", 1, Map.of("cleanup.policy", "compact"));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            GenericRecord good = widget(1, 1);
            producer.send(new ProducerRecord<>(dataset + "-clean", good.get("widget_id").toString(),
                    CleanDatasetContract.wireFormat(catalog.latestSchemaForDataset(dataset + "-clean").orElseThrow().id(), good))).get();
            // Against the contract: a value framed with the source dataset's schema id, at offset 1.
            GenericRecord wrong = widget(2, 1);
            producer.send(new ProducerRecord<>(dataset + "-clean", wrong.get("widget_id").toString(), CleanDatasetContract.wireFormat(sourceSchemaId, wrong))).get();
        }
        // the clean table exists (empty): the clean topic is read only against a table
        Catalog iceberg = CatalogUtil.buildIcebergCatalog("onepipe", catalogProperties(), new org.apache.hadoop.conf.Configuration());
        ((SupportsNamespaces) iceberg).createNamespace(Namespace.of("clean"));
        org.apache.iceberg.Schema tableSchema = AvroSchemaUtil.toIceberg(SCHEMA);
        iceberg.createTable(TableIdentifier.of("clean", dataset), tableSchema, PartitionSpec.builderFor(tableSchema).day("updated_at").build());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(1, run(out, err, "reconcile", "--dataset", dataset), out + "\n" + err);
        assertEquals("onepipe: The latest value of key 'widget-002' on the clean topic " + dataset + "-clean cannot be read: UNDECODABLE: schema id "
                + sourceSchemaId + " belongs to subject " + dataset + "-value, not to " + dataset + "-clean-value of dataset " + dataset
                + "-clean [topic " + dataset + "-clean, partition 0, offset 1, schema id " + sourceSchemaId + "]", err.toString().strip());
    }

    @Test
    void theRawMergedStateReadsTheHistoryTheTopicNoLongerHasFromTheRawArchiveInOffsetOrder() throws Exception {
        String dataset = RUNTIME.uniqueName("widgets");
        MetadataCatalog catalog = register(dataset, "{\"strategy\": \"LAST_SEEN\"}");
        int schemaId = catalog.latestSchemaForDataset(dataset).orElseThrow().id();
        int cleanSchemaId = catalog.latestSchemaForDataset(dataset + "-clean").orElseThrow().id();
        RUNTIME.createTopic(dataset, 1);
        RUNTIME.createTopic(dataset + "-clean", 1, Map.of("cleanup.policy", "compact"));

        // The log of the one partition, offset by offset, with record times in hour 05 except offset 30, a late record
        // of hour 04: the archive puts it in an object of its own that starts inside the hour-05 object's offsets.
        // Widget 7 is at offsets 7 (version 1), 30 (version 3) and 38 (version 2): LAST_SEEN in log order keeps
        // version 2; reading the archive object by object would end on version 3.
        Instant five = DAY.plusSeconds(5 * 3_600);
        List<GenericRecord> log = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        for (int index = 0; index < 30; index++) {
            log.add(widget(index, 1));
            times.add(five.plusSeconds(index));
        }
        log.add(widget(7, 3));
        times.add(five.minusSeconds(1_800));
        for (int index = 0; index < 9; index++) {
            log.add(widget(index, 2));
            times.add(five.plusSeconds(60 + index));
        }
        for (int index = 20; index < 25; index++) {
            log.add(widget(index, 2));
            times.add(five.plusSeconds(120 + index));
        }
        // The test's own tally: LAST_SEEN is the last version of each widget in log order.
        Map<String, GenericRecord> last = new TreeMap<>();
        log.forEach(widget -> last.put(widget.get("widget_id").toString(), widget));
        assertEquals(2L, last.get("widget-007").get("version"));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int offset = 0; offset < log.size(); offset++) {
                GenericRecord widget = log.get(offset);
                long sent = producer.send(new ProducerRecord<>(dataset, 0, times.get(offset).toEpochMilli(), widget.get("widget_id").toString(),
                        CleanDatasetContract.wireFormat(schemaId, widget))).get().offset();
                assertEquals(offset, sent, "the log's offsets are the test's list positions");
            }
            for (GenericRecord widget : last.values()) {
                producer.send(new ProducerRecord<>(dataset + "-clean", null, (Long) widget.get("updated_at"), widget.get("widget_id").toString(),
                        CleanDatasetContract.wireFormat(cleanSchemaId, widget)));
            }
        }
        COVERED.merge(0, (long) log.size(), Math::max);
        Catalog iceberg = CatalogUtil.buildIcebergCatalog("onepipe", catalogProperties(), new org.apache.hadoop.conf.Configuration());
        ((SupportsNamespaces) iceberg).createNamespace(Namespace.of("clean"));
        org.apache.iceberg.Schema tableSchema = AvroSchemaUtil.toIceberg(SCHEMA);
        Table table = iceberg.createTable(TableIdentifier.of("clean", dataset), tableSchema,
                PartitionSpec.builderFor(tableSchema).day("updated_at").build());
        append(table, last.values().stream().map(widget -> row(tableSchema, widget)).toList());

        TopologyRunner archive = startArchive(dataset);
        try {
            awaitReconcile(dataset, "--require-archived");
        } finally {
            archive.close();
        }
        String partitionPrefix = "raw/" + dataset + "/partition=0/dt=2026-11-22/";
        String lateObject = partitionPrefix + "hour=04/" + dataset + "+0+00000000000000000030.parquet";
        S3Settings s3Settings = RUNTIME.s3Settings();
        try (S3Client s3 = S3ClientFactory.create(s3Settings)) {
            List<String> keys = s3.listObjectsV2Paginator(request -> request.bucket(s3Settings.bucket()).prefix("raw/" + dataset + "/")).contents()
                    .stream().map(S3Object::key).toList();
            assertEquals(List.of(partitionPrefix + "hour=04/" + dataset + "+0+00000000000000000030.parquet",
                    partitionPrefix + "hour=05/" + dataset + "+0+00000000000000000000.parquet"), keys, "the late record's object starts inside the other's offsets");

            // Retention (here DeleteRecords) removes offsets 0..39 from the topic: 20 widgets and widget 7's whole story
            // are then only in the raw archive.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
                admin.deleteRecords(Map.of(new TopicPartition(dataset, 0), RecordsToDelete.beforeOffset(40))).all().get();
            }
            StringWriter truncated = new StringWriter();
            assertEquals(0, run(truncated, "reconcile", "--dataset", dataset, "--all"), truncated.toString());
            assertTrue(truncated.toString().contains("45 records, 40 of them from the raw archive below the log start offsets"), truncated.toString());
            assertEquals(2, truncated.toString().lines().filter(line -> line.matches("\\s+\\d+ days: \\d+ OK")).count(),
                    "clean topic and raw merged state both agree with the table:\n" + truncated);

            // The late record's object deleted: the archive's chain says offset 30 held a record that neither system has.
            s3.deleteObject(request -> request.bucket(s3Settings.bucket()).key(lateObject));
            StringWriter lost = new StringWriter();
            assertEquals(ReconcileCommand.DIFFERENCES, run(lost, "reconcile", "--dataset", dataset), lost.toString());
            assertTrue(lost.toString().contains("history not in the raw merged state: partition 0 (log start offset 40): offsets 30..30 held records"
                    + " that are in neither the topic nor the raw archive"), lost.toString());
        }
    }

    private TopologyRunner startArchive(String topic) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(OnepipeConfig.BOOTSTRAP_SERVERS, RUNTIME.bootstrapServers());
        settings.putAll(RUNTIME.s3Settings().toConfig());
        settings.put(TopologyRunner.STATE_ROOT, stateRoot.resolve("archive-state").toString());
        settings.put("onepipe.archive.idle.flush.ms", "1000");
        ArchiveTopology topology = new ArchiveTopology();
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        return TopologyRunner.start(topology, new TopologyContext(topology.name(), Optional.empty(), topic, config));
    }

    /** Runs {@code onepipe reconcile --dataset} until it exits 0, for at most two minutes. */
    private void awaitReconcile(String dataset, String... more) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            StringWriter out = new StringWriter();
            List<String> arguments = new ArrayList<>(List.of("reconcile", "--dataset", dataset));
            arguments.addAll(List.of(more));
            int code = run(out, arguments.toArray(String[]::new));
            if (code == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("reconcile did not agree (exit code " + code + "):\n" + out);
            }
            Thread.sleep(1000);
        }
    }

    /** Widgets over three days; prices and versions vary, a few descriptions are null. */
    private static GenericRecord widget(int index, int version) {
        GenericData.Record widget = new GenericData.Record(SCHEMA);
        widget.put("widget_id", String.format("widget-%03d", index));
        widget.put("version", (long) version);
        widget.put("updated_at", DAY.plusSeconds(index * 3_600L + version * 60L).toEpochMilli());
        widget.put("name", "widget " + index);
        widget.put("price", index * 1.25 + version);
        widget.put("status", new GenericData.EnumSymbol(SCHEMA.getField("status").schema(), version == 2 ? "DISCONTINUED" : "ACTIVE"));
        widget.put("tags", List.of("t" + index % 4, "v" + version));
        widget.put("description", index % 5 == 0 ? null : "described " + index);
        return widget;
    }

    private static Record row(org.apache.iceberg.Schema tableSchema, GenericRecord widget) {
        Record row = org.apache.iceberg.data.GenericRecord.create(tableSchema);
        row.setField("widget_id", widget.get("widget_id").toString());
        row.setField("version", widget.get("version"));
        Instant updated = Instant.ofEpochMilli((Long) widget.get("updated_at"));
        Types.TimestampType type = (Types.TimestampType) tableSchema.findType("updated_at");
        row.setField("updated_at", type.shouldAdjustToUTC() ? OffsetDateTime.ofInstant(updated, ZoneOffset.UTC)
                : LocalDateTime.ofInstant(updated, ZoneOffset.UTC));
        row.setField("name", widget.get("name").toString());
        row.setField("price", widget.get("price"));
        row.setField("status", widget.get("status").toString());
        List<String> tags = new ArrayList<>();
        ((List<?>) widget.get("tags")).forEach(tag -> tags.add(tag.toString()));
        row.setField("tags", tags);
        row.setField("description", widget.get("description") == null ? null : widget.get("description").toString());
        return row;
    }

    /** Appends {@code rows} as one data file per day, recording the (empty) input topic's offsets as the contract asks. */
    private static void append(Table table, List<Record> rows) throws IOException {
        var append = table.newAppend();
        write(table, rows).forEach(append::appendFile);
        append.set("onepipe.offset.0", String.valueOf(COVERED.getOrDefault(0, 0L))).set("onepipe.offset.1", String.valueOf(COVERED.getOrDefault(1, 0L)))
                .commit();
    }

    private static List<DataFile> write(Table table, List<Record> rows) throws IOException {
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.nanoTime()).format(FileFormat.PARQUET).build();
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        Map<PartitionKey, List<Record>> byDay = new LinkedHashMap<>();
        for (Record row : rows) {
            PartitionKey key = new PartitionKey(table.spec(), table.schema());
            key.partition(wrapper.wrap(row));
            byDay.computeIfAbsent(key, any -> new ArrayList<>()).add(row);
        }
        List<DataFile> written = new ArrayList<>();
        for (Map.Entry<PartitionKey, List<Record>> day : byDay.entrySet()) {
            DataWriter<Record> writer = writers.newDataWriter(files.newOutputFile(table.spec(), day.getKey()), table.spec(), day.getKey());
            try (writer) {
                day.getValue().forEach(writer::write);
            }
            written.add(writer.toDataFile());
        }
        return written;
    }

    /** Copy-on-write: the data file holding {@code key} replaced by one with every other row of it. */
    private static void rewriteWithout(Table table, String key) throws IOException {
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                List<Record> kept = new ArrayList<>();
                boolean found = false;
                try (CloseableIterable<Record> records = org.apache.iceberg.data.IcebergGenerics.read(table).build()) {
                    for (Record record : records) {
                        if (!task.file().partition().get(0, Integer.class).equals(partitionOf(table, record).get(0, Integer.class))) {
                            continue;
                        }
                        if (record.getField("widget_id").toString().equals(key)) {
                            found = true;
                        } else {
                            kept.add(record.copy());
                        }
                    }
                }
                if (found) {
                    var overwrite = table.newOverwrite().deleteFile(task.file());
                    write(table, kept).forEach(overwrite::addFile);
                    overwrite.set("onepipe.offset.0", String.valueOf(COVERED.getOrDefault(0, 0L)))
                            .set("onepipe.offset.1", String.valueOf(COVERED.getOrDefault(1, 0L))).commit();
                    return;
                }
            }
        }
        throw new AssertionError("no data file holds " + key);
    }

    private static org.apache.iceberg.StructLike partitionOf(Table table, Record record) {
        PartitionKey key = new PartitionKey(table.spec(), table.schema());
        key.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(record));
        return key;
    }

    /** The dataset, and its clean dataset {@code <dataset>-clean} as dedup registers it (the clean topic's contract). */
    private MetadataCatalog register(String dataset) {
        return register(dataset, null);
    }

    /** As {@link #register(String)}, with the merge strategy {@code merge} (JSON) instead of the sample's, unless null. */
    private MetadataCatalog register(String dataset, String merge) {
        String json = SampleDatasets.metadataJson(SampleDatasets.WIDGETS).replace("\"widgets", "\"" + dataset);
        if (merge != null) {
            json = json.replaceFirst("\"merge\": \\{[^}]*}", java.util.regex.Matcher.quoteReplacement("\"merge\": " + merge));
        }
        DatasetMetadata source = DatasetMetadata.fromJson(json);
        try (MetadataRegistry registry = MetadataRegistry.connect(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            registry.registerAll(List.of(RegistrationRequest.dataset(source, SCHEMA), RegistrationRequest.dataset(CleanDatasetContract.metadataOf(source), SCHEMA)))
                    .forEach(result -> assertTrue(result.accepted(), result.summary()));
            MetadataCatalog catalog = registry.catalog();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((catalog.latestSchemaForDataset(dataset).isEmpty() || catalog.latestSchemaForDataset(dataset + "-clean").isEmpty())
                    && System.nanoTime() < deadline) {
                catalog = registry.catalog();
            }
            return catalog;
        }
    }

    /** The contract's catalog, written out here with Iceberg's own property names. */
    private Map<String, String> catalogProperties() {
        S3Settings s3 = RUNTIME.s3Settings();
        Map<String, String> properties = new HashMap<>();
        properties.put("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
        properties.put("uri", "jdbc:sqlite:" + stateRoot.resolve("iceberg-catalog.sqlite"));
        properties.put("jdbc.schema-version", "V1");
        properties.put("warehouse", "s3://" + s3.bucket() + "/clean/");
        properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
        properties.put("s3.endpoint", s3.endpoint().orElseThrow().toString());
        properties.put("s3.path-style-access", "true");
        properties.put("s3.access-key-id", s3.accessKey().orElseThrow());
        properties.put("s3.secret-access-key", s3.secretKey().orElseThrow());
        properties.put("client.region", s3.region().orElse("us-east-1"));
        return properties;
    }

    /** Runs a command; what it prints on standard error (a failure's one line) goes to {@code out} too. */
    private int run(StringWriter out, String... arguments) {
        return run(out, out, arguments);
    }

    private int run(StringWriter out, StringWriter err, String... arguments) {
        return run(out, err, stateRoot, arguments);
    }

    private int run(StringWriter out, StringWriter err, Path root, String... arguments) {
        S3Settings s3 = RUNTIME.s3Settings();
        List<String> command = new ArrayList<>(List.of(arguments));
        command.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers(), "--s3-endpoint", s3.endpoint().orElseThrow().toString(),
                "--s3-bucket", s3.bucket(), "--set", "onepipe.s3.access.key=" + s3.accessKey().orElseThrow(),
                "--set", "onepipe.s3.secret.key=" + s3.secretKey().orElseThrow(), "--set", "onepipe.state.root=" + root));
        picocli.CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(command.toArray(String[]::new));
    }
}
