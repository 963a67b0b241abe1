package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import dev.onepipe.archive.ArchiveTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.RegisteredDatasets;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.http.OnepipeHttpServer;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.serde.DatasetSerdes;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code onepipe run reconciliation} next to the real archive topology on the embedded broker and S3 endpoint: every
 * bucket of a healthy pipeline OK on the {@code onepipe-reconciliation} topic and in {@code /metrics}; the archive
 * stopped while records keep arriving: its consumer group STALL or STOP, the new buckets NOT_YET_ARCHIVED; restarted:
 * OK again; one raw archive object deleted with the plain S3 client: its partition and hour MISSING with exactly its
 * offsets (read from the deleted object with plain parquet-avro); a key of the layout whose body is not Parquet: its
 * bucket DIFFERENT naming the object and the reason, while an object of the same partition rewritten under its key with
 * one value byte flipped (new ETag) is found DIFFERENT at exactly that offset; with one bisection per partition and
 * check, a later hour of the partition with the MISSING bucket altered the same way is judged DIFFERENT too (a
 * persisting difference is not read again at every check, so it cannot keep the later buckets from being judged);
 * retention then deletes the MISSING hour from the topic and the topology restarts: still MISSING, by count and hash
 * sum (the topic can no longer name the offsets), the later hour still DIFFERENT at its offset.
 * A compacted topic whose log cleaner removed records the archive holds is OK in every bucket, in one pass and in the
 * topology, the removed records counted as compaction's.
 */
class ReconciliationTopologyIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 2;
    private static final Instant DAY = Instant.parse("2026-11-22T00:00:00Z");
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path temporary;

    @Test
    void publishesVerdictsPerBucketAndForTheArchivesConsumerGroup() throws Exception {
        String dataset = RUNTIME.uniqueName("sprockets");
        register(dataset);
        RUNTIME.createTopic(dataset, PARTITIONS);
        // The generator's own tally: the (partition, hour) buckets it wrote to.
        Set<String> buckets = new TreeSet<>();
        produce(dataset, 0, 150, buckets);

        TopologyRunner archive = startArchive(dataset);
        TopologyRunner reconciliation = null;
        try (VerdictReader verdicts = new VerdictReader()) {
            reconciliation = startReconciliation(dataset);
            Map<String, GenericRecord> healthy = verdicts.await(latest -> rawBuckets(latest, dataset).keySet().equals(buckets)
                    && rawBuckets(latest, dataset).values().stream().allMatch(verdict -> status(verdict).equals("OK")), "every bucket OK");
            assertEquals(buckets, rawBuckets(healthy, dataset).keySet());
            verdicts.await(latest -> "OK".equals(groupStatus(latest, dataset, archiveGroup(dataset))), "the archive's group OK");
            awaitMetric(reconciliation, ReconciliationMetrics.RAW_BUCKETS, "OK", buckets.size());
            assertEquals(buckets.size(), servedRawBuckets(reconciliation, "OK"), "raw-buckets{status=OK} on /metrics over HTTP");

            // The archive stopped while records keep arriving: its group STALL, then STOP; the new hour not yet archived.
            archive.close();
            produce(dataset, 150, 200, buckets);
            String stalled = groupStatus(verdicts.await(latest -> Set.of("STALL", "STOP").contains(groupStatus(latest, dataset, archiveGroup(dataset))),
                    "the stopped archive's group STALL or STOP"), dataset, archiveGroup(dataset));
            assertTrue(Set.of("STALL", "STOP").contains(stalled), stalled);
            verdicts.await(latest -> rawBuckets(latest, dataset).values().stream().anyMatch(verdict -> status(verdict).equals("NOT_YET_ARCHIVED")),
                    "the records produced while the archive is stopped NOT_YET_ARCHIVED");

            archive = startArchive(dataset);
            verdicts.await(latest -> rawBuckets(latest, dataset).keySet().equals(buckets)
                    && rawBuckets(latest, dataset).values().stream().allMatch(verdict -> status(verdict).equals("OK"))
                    && "OK".equals(groupStatus(latest, dataset, archiveGroup(dataset))), "every bucket and the restarted archive OK");

            // One object deleted through plain S3: its partition and hour MISSING, with exactly its offsets.
            try (S3Client s3 = RUNTIME.newS3Client()) {
                List<S3Object> objects = new ArrayList<>();
                s3.listObjectsV2Paginator(request -> request.bucket(RUNTIME.bucket()).prefix("raw/" + dataset + "/partition=0/")).contents()
                        .forEach(objects::add);
                assertTrue(objects.size() >= 3, "expected several objects, found " + objects.size());
                S3Object deleted = objects.get(0);
                Path copy = temporary.resolve("deleted.parquet");
                s3.getObject(request -> request.bucket(RUNTIME.bucket()).key(deleted.key()), copy);
                List<Long> offsets = offsetsIn(copy);
                assertEquals(offsets.size() - 1, offsets.get(offsets.size() - 1) - offsets.get(0), "consecutive offsets (no late records here)");
                s3.deleteObject(request -> request.bucket(RUNTIME.bucket()).key(deleted.key()));

                String bucket = "partition=0/hour=" + deleted.key().replaceAll(".*/dt=([0-9-]+)/hour=([0-9]+)/.*", "$1T$2");
                Map<String, GenericRecord> missing = verdicts.await(latest -> rawBuckets(latest, dataset).containsKey(bucket)
                        && status(rawBuckets(latest, dataset).get(bucket)).equals("MISSING"), bucket + " MISSING");
                GenericRecord verdict = rawBuckets(missing, dataset).get(bucket);
                assertEquals(offsets, verdict.get("missing_offsets"), verdict.toString());
                assertEquals(0L, verdict.get("unlisted_offsets"));
                assertEquals((long) offsets.size(), (Long) verdict.get("first_system_records") - (Long) verdict.get("second_system_records"));
                assertEquals(1, rawBuckets(missing, dataset).values().stream().filter(any -> !status(any).equals("OK")).count(), missing.toString());
                awaitMetric(reconciliation, ReconciliationMetrics.RAW_BUCKETS, "MISSING", 1);
                assertEquals(1, servedRawBuckets(reconciliation, "MISSING"), "raw-buckets{status=MISSING} on /metrics over HTTP");

                // Partition 1: a key of the layout whose body is not Parquet, in the hour of its last object: that
                // bucket DIFFERENT, the object and the reader's reason named.
                List<S3Object> objects1 = new ArrayList<>();
                s3.listObjectsV2Paginator(request -> request.bucket(RUNTIME.bucket()).prefix("raw/" + dataset + "/partition=1/")).contents()
                        .forEach(objects1::add);
                S3Object first1 = objects1.get(0);
                S3Object last1 = objects1.get(objects1.size() - 1);
                assertTrue(!hourOf(first1.key()).equals(hourOf(last1.key())), objects1.toString());
                String garbageKey = last1.key().replaceAll("\\+[0-9]{20}\\.parquet$", "+00000000000000900000.parquet");
                s3.putObject(request -> request.bucket(RUNTIME.bucket()).key(garbageKey), RequestBody.fromString("garbage"));
                String garbageBucket = "partition=1/hour=" + hourOf(last1.key());
                verdicts.await(latest -> rawBuckets(latest, dataset).containsKey(garbageBucket)
                        && status(rawBuckets(latest, dataset).get(garbageBucket)).equals("DIFFERENT")
                        && rawBuckets(latest, dataset).get(garbageBucket).get("detail").toString()
                                .startsWith("object " + garbageKey + " unreadable: not a raw archive Parquet file"), garbageBucket + " DIFFERENT, unreadable");

                // The partition's first object rewritten under the same key, its metadata kept, one value byte flipped
                // (plain parquet-avro): its bucket DIFFERENT at exactly that offset, while the unreadable one stays so.
                long alteredOffset = flipOneValueByte(s3, first1, "first-1");
                String rewrittenBucket = "partition=1/hour=" + hourOf(first1.key());
                Map<String, GenericRecord> different = verdicts.await(latest -> rawBuckets(latest, dataset).containsKey(rewrittenBucket)
                        && status(rawBuckets(latest, dataset).get(rewrittenBucket)).equals("DIFFERENT"), rewrittenBucket + " DIFFERENT");
                assertEquals(List.of(alteredOffset), rawBuckets(different, dataset).get(rewrittenBucket).get("different_offsets"),
                        rawBuckets(different, dataset).get(rewrittenBucket).toString());
                assertEquals("DIFFERENT", status(rawBuckets(different, dataset).get(garbageBucket)));
                awaitMetric(reconciliation, ReconciliationMetrics.RAW_BUCKETS, "DIFFERENT", 2);

                // Partition 0 again, at most one bisection per partition and check: a closed object of a later hour
                // than the deleted one altered too. It is judged DIFFERENT at its offset while the MISSING bucket, whose
                // difference persists, is not read again at every check and keeps its verdict.
                S3Object later = objects.stream().filter(object -> !hourOf(object.key()).equals(hourOf(deleted.key()))).findFirst().orElseThrow();
                assertTrue(!later.key().equals(objects.get(objects.size() - 1).key()), "a closed object, not the last: " + objects);
                long laterOffset = flipOneValueByte(s3, later, "later-0");
                String laterBucket = "partition=0/hour=" + hourOf(later.key());
                Map<String, GenericRecord> both = verdicts.await(latest -> rawBuckets(latest, dataset).containsKey(laterBucket)
                        && status(rawBuckets(latest, dataset).get(laterBucket)).equals("DIFFERENT"), laterBucket + " DIFFERENT");
                assertEquals(List.of(laterOffset), rawBuckets(both, dataset).get(laterBucket).get("different_offsets"));
                assertEquals("MISSING", status(rawBuckets(both, dataset).get(bucket)));
                assertEquals(offsets, rawBuckets(both, dataset).get(bucket).get("missing_offsets"));
                awaitMetric(reconciliation, ReconciliationMetrics.RAW_BUCKETS, "DIFFERENT", 3);
                awaitMetric(reconciliation, ReconciliationMetrics.RAW_BUCKETS, "MISSING", 1);

                // Retention deletes partition 0's first hour from the topic (DeleteRecords up to the altered object's
                // first offset), then the topology restarts, forgetting its statuses and bisections but not its
                // fingerprints: the topic can no longer name the offsets, yet the bucket stays MISSING, by count and hash
                // sum, and the altered later hour stays DIFFERENT at its offset.
                long logStart = Long.parseLong(later.key().replaceAll(".*\\+([0-9]{20})\\.parquet$", "$1"));
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
                    admin.deleteRecords(Map.of(new TopicPartition(dataset, 0), RecordsToDelete.beforeOffset(logStart))).all().get();
                }
                reconciliation.close();
                reconciliation = startReconciliation(dataset);
                String residual = String.format("%,d of the %,d records the topology read below the log start offset %d are not in the archive",
                        offsets.size(), logStart, logStart);
                Map<String, GenericRecord> retained = verdicts.await(latest -> rawBuckets(latest, dataset).get(bucket).get("detail").toString()
                        .startsWith(residual), bucket + " MISSING by count after retention and a restart");
                assertEquals("MISSING", status(rawBuckets(retained, dataset).get(bucket)), rawBuckets(retained, dataset).get(bucket).toString());
                assertEquals("DIFFERENT", status(rawBuckets(retained, dataset).get(laterBucket)));
                assertEquals(List.of(laterOffset), rawBuckets(retained, dataset).get(laterBucket).get("different_offsets"));
            }
        } finally {
            if (reconciliation != null) {
                reconciliation.close();
            }
            archive.close();
        }
    }

    /**
     * A compacted topic whose log cleaner has removed superseded records the archive had already stored: neither
     * {@code onepipe reconcile}'s comparison nor the topology (started after the compaction, so its fingerprints hold
     * only the survivors) calls them EXTRA; both count them as compaction's, as many as the producer sent minus what
     * a plain consumer still reads.
     */
    @Test
    void recordsTheLogCleanerRemovedAreCompactionsNotExtra() throws Exception {
        String dataset = RUNTIME.uniqueName("levers");
        register(dataset);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(dataset, PARTITIONS, (short) 1).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01")))).all().get();
        }
        Set<String> buckets = new TreeSet<>();
        long sent = produceKeyed(dataset, 0, 90, buckets);

        TopologyRunner archive = startArchive(dataset);
        TopologyRunner reconciliation = null;
        try (S3Client s3 = RUNTIME.newS3Client(); VerdictReader verdicts = new VerdictReader()) {
            RawArchiveReader archiveReader = new RawArchiveReader(s3, RUNTIME.bucket(), "raw");
            awaitComparison(dataset, archiveReader, comparison -> comparison.verdicts().stream().allMatch(verdict -> verdict.status() == BucketStatus.OK)
                    && archivedOffsets(comparison) == sent, "every record archived");

            // A segment rolls once a record's timestamp is 100 ms past its first record's: the 90 minutes become
            // inactive segments the cleaner may compact, and it keeps only each key's latest record of them.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, dataset), List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.SEGMENT_MS_CONFIG, "100"), AlterConfigOp.OpType.SET)))).all().get();
            }
            long all = sent + produceKeyed(dataset, 90, 92, buckets);
            long survivors;
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while ((survivors = topicRecords(dataset)) > all / 2) {
                assertTrue(System.nanoTime() < deadline, "the log cleaner left " + survivors + " of " + all + " records");
                Thread.sleep(1000);
            }

            TopicArchiveComparison compacted;
            while (true) {
                compacted = awaitComparison(dataset, archiveReader, comparison -> archivedOffsets(comparison) == all
                        && comparison.verdicts().stream().noneMatch(verdict -> verdict.status() == BucketStatus.NOT_YET_ARCHIVED), "every record archived");
                // the segments the later records rolled may be cleaned too: compare with a count taken on both sides of the pass
                long after = topicRecords(dataset);
                if (after == survivors) {
                    break;
                }
                survivors = after;
                assertTrue(System.nanoTime() < deadline, "the log cleaner kept cleaning: " + survivors + " of " + all + " records left");
            }
            assertEquals(List.of(), compacted.verdicts().stream().filter(verdict -> verdict.status() != BucketStatus.OK).toList());
            assertEquals(all - survivors, compacted.verdicts().stream().mapToLong(verdict -> verdict.differences().compacted().offsets()).sum());

            reconciliation = startReconciliation(dataset);
            Map<String, GenericRecord> latest = verdicts.await(any -> rawBuckets(any, dataset).keySet().equals(buckets)
                    && rawBuckets(any, dataset).values().stream().allMatch(verdict -> status(verdict).equals("OK")), "every bucket OK");
            assertTrue(rawBuckets(latest, dataset).values().stream().anyMatch(verdict -> verdict.get("detail").toString()
                    .matches("[0-9,]+ archived records removed from the topic by compaction")), latest.toString());
        } finally {
            if (reconciliation != null) {
                reconciliation.close();
            }
            archive.close();
        }
    }

    /**
     * Records every minute of {@code DAY} from {@code fromMinute} to {@code toMinute}, 4 per minute per partition, under
     * 10 keys per partition (a compacted topic refuses records without a key).
     *
     * @return the records sent
     */
    private static long produceKeyed(String topic, int fromMinute, int toMinute, Set<String> buckets) {
        Map<String, Object> config = Map.of("bootstrap.servers", RUNTIME.bootstrapServers(), "enable.idempotence", true, "acks", "all");
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int minute = fromMinute; minute < toMinute; minute++) {
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    for (int index = 0; index < 4; index++) {
                        Instant time = DAY.plus(Duration.ofMinutes(minute)).plusSeconds(index);
                        byte[] key = ("key-" + (minute * 4 + index) % 10).getBytes(StandardCharsets.UTF_8);
                        producer.send(new ProducerRecord<>(topic, partition, time.toEpochMilli(), key,
                                ("value " + minute + " " + index).getBytes(StandardCharsets.UTF_8)));
                        buckets.add("partition=" + partition + "/hour=" + time.toString().substring(0, 13));
                        sent++;
                    }
                }
            }
            producer.flush();
        }
        return sent;
    }

    /** Runs one topic ↔ raw archive comparison until {@code done} holds for it or the patience runs out. */
    private static TopicArchiveComparison awaitComparison(String topic, RawArchiveReader archive, Predicate<TopicArchiveComparison> done,
                                                          String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            TopicArchiveComparison comparison = TopicArchiveComparison.run(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()), topic, archive,
                    Optional.empty(), Optional.empty(), 1000, null);
            if (done.test(comparison)) {
                return comparison;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Waited " + PATIENCE + " for " + what + "; verdicts: " + comparison.verdicts());
            }
            Thread.sleep(1000);
        }
    }

    /** The records the archive holds in the comparison's buckets. */
    private static long archivedOffsets(TopicArchiveComparison comparison) {
        return comparison.verdicts().stream().mapToLong(verdict -> verdict.archive().count()).sum();
    }

    /** The records a plain read_committed consumer reads from the topic now. */
    private static long topicRecords(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS).mapToObj(partition -> new TopicPartition(topic, partition)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long records = 0;
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                records += consumer.poll(Duration.ofMillis(500)).count();
            }
            return records;
        }
    }

    /** Records every minute of {@code DAY} from {@code fromMinute} to {@code toMinute}, 4 per minute per partition. */
    private static void produce(String topic, int fromMinute, int toMinute, Set<String> buckets) {
        Map<String, Object> config = Map.of("bootstrap.servers", RUNTIME.bootstrapServers(), "enable.idempotence", true, "acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int minute = fromMinute; minute < toMinute; minute++) {
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    for (int index = 0; index < 4; index++) {
                        Instant time = DAY.plus(Duration.ofMinutes(minute)).plusSeconds(index);
                        byte[] key = index == 3 ? null : ("key-" + minute + "-" + index).getBytes(StandardCharsets.UTF_8);
                        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, time.toEpochMilli(), key,
                                ("value " + minute + " " + index).getBytes(StandardCharsets.UTF_8));
                        if (index == 0) {
                            record.headers().add(new RecordHeader("trace", "t".getBytes(StandardCharsets.UTF_8)));
                        }
                        producer.send(record);
                        buckets.add("partition=" + partition + "/hour=" + time.toString().substring(0, 13));
                    }
                }
            }
            producer.flush();
        }
    }

    private static void register(String dataset) {
        String json = SampleDatasets.metadataJson(SampleDatasets.WIDGETS).replace("\"widgets", "\"" + dataset);
        try (MetadataRegistry registry = MetadataRegistry.connect(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            registry.registerAll(List.of(RegistrationRequest.dataset(DatasetMetadata.fromJson(json), SampleDatasets.schema(SampleDatasets.WIDGETS))))
                    .forEach(result -> assertTrue(result.accepted(), result.summary()));
        }
    }

    private Map<String, String> settings(String stateDirectory) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(OnepipeConfig.BOOTSTRAP_SERVERS, RUNTIME.bootstrapServers());
        settings.putAll(RUNTIME.s3Settings().toConfig());
        settings.put(TopologyRunner.STATE_ROOT, temporary.resolve(stateDirectory).toString());
        settings.put("consumer.session.timeout.ms", "6000");
        settings.put("consumer.heartbeat.interval.ms", "1500");
        return settings;
    }

    private TopologyRunner startArchive(String topic) {
        Map<String, String> settings = settings("archive-state");
        settings.put("onepipe.archive.chunk.max.records", "200");
        settings.put("onepipe.archive.idle.flush.ms", "1000");
        ArchiveTopology topology = new ArchiveTopology();
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        return TopologyRunner.start(topology, new TopologyContext(topology.name(), Optional.empty(), topic, config));
    }

    private TopologyRunner startReconciliation(String dataset) {
        Map<String, String> settings = settings("reconciliation-state");
        settings.put(ReconciliationSettings.CHECK_INTERVAL_MS, "1000");
        settings.put(ReconciliationSettings.GROUP_WINDOW, "4");
        settings.put(ReconciliationSettings.OFFSETS_LIMIT, "1000");
        settings.put(ReconciliationSettings.MAX_BISECTIONS_PER_CHECK, "1");
        settings.put("commit.interval.ms", "500");
        ReconciliationTopology topology = new ReconciliationTopology();
        OnepipeConfig config = TopologyRunner.configure(topology, Map.of(), Map.of(), settings);
        return TopologyRunner.start(topology, new TopologyContext(topology.name(), Optional.of(dataset), dataset, config));
    }

    private static String archiveGroup(String topic) {
        return TopologyContext.APPLICATION_ID_PREFIX + ArchiveTopology.NAME + "-" + topic;
    }

    /** The latest topic/raw-archive verdict of each bucket of {@code dataset}, by bucket. */
    private static Map<String, GenericRecord> rawBuckets(Map<String, GenericRecord> latest, String dataset) {
        Map<String, GenericRecord> buckets = new HashMap<>();
        latest.values().stream().filter(verdict -> verdict.get("dataset").toString().equals(dataset)
                && verdict.get("systems").toString().equals(ReconciliationDataset.TOPIC_RAW_ARCHIVE))
                .forEach(verdict -> buckets.put(verdict.get("bucket").toString(), verdict));
        return buckets;
    }

    private static String groupStatus(Map<String, GenericRecord> latest, String dataset, String group) {
        return latest.values().stream().filter(verdict -> verdict.get("dataset").toString().equals(dataset)
                        && verdict.get("systems").toString().equals(ReconciliationDataset.CONSUMER_GROUP) && verdict.get("bucket").toString().equals(group))
                .map(ReconciliationTopologyIT::status).findFirst().orElse(null);
    }

    private static String status(GenericRecord verdict) {
        return verdict.get("status").toString();
    }

    /**
     * The sum over tasks of {@code raw-buckets{status}} as {@code /metrics} serves it over HTTP from the exporter
     * {@code onepipe run} serves, by the Prometheus name written out here by hand.
     */
    private static long servedRawBuckets(TopologyRunner runner, String status) throws Exception {
        try (OnepipeHttpServer server = OnepipeHttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                OnepipeHttpServer.Application.of(runner, runner.context()), Map.of())) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.localUrl() + OnepipeHttpServer.METRICS_PATH)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body().lines()
                    .filter(line -> line.startsWith("kafka_stream_onepipe_reconciliation_raw_buckets{") && line.contains("status=\"" + status + "\""))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        }
    }

    private static void awaitMetric(TopologyRunner runner, String name, String status, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long value;
        while ((value = ReconciliationMetrics.total(runner.streams().metrics(), name, status)) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + "{status=" + status + "} stayed " + value + ", expected " + expected);
            }
            Thread.sleep(500);
        }
    }

    /**
     * Rewrites {@code object} under its key with its user metadata kept and the first byte of its second row's value
     * flipped (plain parquet-avro), as a fault of the archive's storage would.
     *
     * @return the altered row's offset
     */
    private long flipOneValueByte(S3Client s3, S3Object object, String name) throws IOException {
        Path original = temporary.resolve(name + ".parquet");
        s3.getObject(request -> request.bucket(RUNTIME.bucket()).key(object.key()), original);
        Map<String, String> metadata = s3.headObject(request -> request.bucket(RUNTIME.bucket()).key(object.key())).metadata();
        List<GenericRecord> rows = ArchiveObjectRows.read(original);
        GenericRecord altered = rows.get(1);
        ByteBuffer value = (ByteBuffer) altered.get("value");
        byte[] flipped = new byte[value.remaining()];
        value.duplicate().get(flipped);
        flipped[0] ^= 0x01;
        altered.put("value", ByteBuffer.wrap(flipped));
        Path rewritten = temporary.resolve(name + "-flipped.parquet");
        ArchiveObjectRows.write(rewritten, altered.getSchema(), rows);
        s3.putObject(request -> request.bucket(RUNTIME.bucket()).key(object.key()).metadata(new HashMap<>(metadata)),
                RequestBody.fromBytes(Files.readAllBytes(rewritten)));
        return (Long) altered.get("offset");
    }

    /** {@code 2026-11-22T07} for {@code raw/<topic>/partition=0/dt=2026-11-22/hour=07/...}. */
    private static String hourOf(String key) {
        return key.replaceAll(".*/dt=([0-9-]+)/hour=([0-9]+)/.*", "$1T$2");
    }

    private static List<Long> offsetsIn(Path file) throws IOException {
        List<Long> offsets = ArchiveObjectRows.read(file).stream().map(row -> (Long) row.get("offset")).toList();
        assertEquals(LongStream.rangeClosed(offsets.get(0), offsets.get(offsets.size() - 1)).boxed().toList(), offsets);
        return offsets;
    }

    /** Reads the verdicts topic as the upsert view it is: the latest value per key, decoded with the registered schema. */
    private static final class VerdictReader implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<String, GenericRecord> latest = new HashMap<>();
        private org.apache.kafka.common.serialization.Deserializer<GenericRecord> values;

        VerdictReader() {
            consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(), "isolation.level", "read_committed"),
                    new StringDeserializer(), new ByteArrayDeserializer());
        }

        Map<String, GenericRecord> await(Predicate<Map<String, GenericRecord>> done, String what) throws InterruptedException {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (true) {
                if (values == null && consumer.partitionsFor(ReconciliationDataset.NAME).size() > 0) {
                    consumer.assign(List.of(new TopicPartition(ReconciliationDataset.NAME, 0)));
                    consumer.seekToBeginning(consumer.assignment());
                    values = DatasetSerdes.generic(RegisteredDatasets.load(OnepipeConfig.of(Map.of(OnepipeConfig.BOOTSTRAP_SERVERS,
                            RUNTIME.bootstrapServers()))), ReconciliationDataset.NAME).deserializer();
                }
                if (values != null) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        latest.put(record.key(), values.deserialize(record.topic(), record.headers(), record.value()));
                    }
                    if (done.test(latest)) {
                        return new HashMap<>(latest);
                    }
                } else {
                    Thread.sleep(500);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Waited " + PATIENCE + " for " + what + "; latest verdicts: " + latest.values());
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
