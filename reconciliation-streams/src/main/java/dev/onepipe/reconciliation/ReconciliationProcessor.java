package dev.onepipe.reconciliation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import dev.onepipe.core.s3.S3ClientFactory;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Keeps the topic's raw fingerprints per bucket as records arrive, and on a wall-clock punctuator compares every
 * bucket the raw archive has closed with the archive, forwarding a verdict when it changes.
 *
 * <p><b>As records arrive</b> ({@link #process}): the record's {@link RecordHash} (offset, Kafka timestamp, key, value,
 * headers: the same definition as {@code onepipe reconcile}) is added to its bucket's {@link Fingerprint} in
 * {@value ReconciliationTopology#FINGERPRINTS_STORE} (partition, record-time hour), and the partition's progress (first
 * and last offset read) in {@value ReconciliationTopology#PROGRESS_STORE}. Both stores are persistent and changelogged.
 *
 * <p><b>Every check interval</b> ({@link #check}), per partition of the task: {@link ArchivePartitionIndex#refresh} (one
 * S3 listing, a GET of at most {@code max.objects.per.check} new objects). A bucket is <em>closed</em> when the
 * archive's completeness watermark for the partition ({@code onepipe-complete-below}, the highest of its objects: the
 * archive's committed progress, every offset below it in S3) is above the bucket's last topic offset. Then:
 * equal count and hash sum is OK; otherwise the bucket is narrowed by bisection ({@link RawReconciliation}, reading the
 * bucket's offsets again from the topic and its objects from S3, at most {@code max.bisections.per.check} buckets per
 * check), which names the offsets MISSING, EXTRA or DIFFERENT. Offsets below the first one the topology read are
 * compared only down to the log start offset at the partition's first check (a compacted topic's cleaned prefix), a
 * bisection never reads below the log start offset now, and on a compacted topic the offsets only the archive holds
 * count as compaction's, as {@code onepipe reconcile} does. A bucket whose fingerprints, read range and watermark are
 * those of its last bisection keeps that verdict without reading again, so a lasting difference costs one bisection,
 * not one per check, and leaves the budget to the partition's later buckets. A bucket not closed is bisected too when
 * a difference below the watermark is known or certain, else NOT_YET_ARCHIVED unless both sides already agree
 * ({@link #decide}). An object that cannot be read makes its hour's bucket DIFFERENT, named in the detail. Not
 * compared in a check: a partition whose new objects could not all be read within the budget, and a bucket whose
 * archive records go beyond the offsets the topology has read while the topic's end offset is above them (the topology
 * is behind; next check).
 *
 * <p>The task of partition 0 also samples the committed offsets of every {@code onepipe-*} consumer group each check
 * and publishes, for the groups that read the dataset's topic, their status by Burrow's rules ({@link BurrowEvaluation}).
 *
 * <p>Why a punctuator rather than a thread of its own: the check reads the state stores and forwards verdicts, which
 * only the stream thread may do, and a verdict then goes out in the same transaction as the store state it was reached
 * from. The price is that a check blocks the task's processing while it lasts, which the budgets above bound.
 */
final class ReconciliationProcessor implements Processor<byte[], byte[], String, GenericRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(ReconciliationProcessor.class);
    private static final String GROUP_PREFIX = "onepipe-";
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_PATIENCE = Duration.ofSeconds(60);

    private final String dataset;
    private final String topic;
    private final ReconciliationSettings settings;
    private final Map<String, Object> clientConfig;
    private final RecordHash hash = new RecordHash();
    private final Map<Integer, ArchivePartitionIndex> archives = new HashMap<>();
    /** The last verdict forwarded per bucket: a verdict is forwarded again only when it changes. */
    private final Map<RawBucket, GenericRecord> lastVerdicts = new HashMap<>();
    private final Map<RawBucket, BucketStatus> statuses = new HashMap<>();
    /**
     * Per partition, the lowest offset compared: the first offset the topology read, or the log start offset at the
     * partition's first check when lower (a compacted topic's cleaned prefix: the topology never saw those records, the
     * archive may hold them, and the topic still answers for their offsets). Fixed at the first check, since objects
     * are summarised from it once.
     */
    private final Map<Integer, Long> floors = new HashMap<>();
    /** The inputs and verdict of each bucket's last bisection in this run. */
    private final Map<RawBucket, Bisected> bisected = new HashMap<>();
    /** Per bucket, the number of the bisection that last read it: the order of the next check's bisections. */
    private final Map<RawBucket, Long> lastBisected = new HashMap<>();
    private long bisectionCount;

    private ProcessorContext<String, GenericRecord> context;
    private KeyValueStore<RawBucket, Fingerprint> fingerprints;
    private KeyValueStore<Integer, Fingerprint> progress;
    private ReconciliationMetrics metrics;
    private Cancellable punctuation;
    private S3Client s3;
    private RawArchiveReader archive;
    private ArchivePartitionIndex.ArchiveSource archiveSource;
    private KafkaConsumer<byte[], byte[]> topicReader;
    private ConsumerGroupWatch groups;

    ReconciliationProcessor(String dataset, String topic, ReconciliationSettings settings, Map<String, Object> clientConfig) {
        this.dataset = dataset;
        this.topic = topic;
        this.settings = settings;
        this.clientConfig = clientConfig;
    }

    @Override
    public void init(ProcessorContext<String, GenericRecord> context) {
        this.context = context;
        this.fingerprints = context.getStateStore(ReconciliationTopology.FINGERPRINTS_STORE);
        this.progress = context.getStateStore(ReconciliationTopology.PROGRESS_STORE);
        this.metrics = new ReconciliationMetrics(context.metrics(), Thread.currentThread().getName(), context.taskId().toString());
        this.punctuation = context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::check);
    }

    /** Adds the record to its bucket's fingerprint and to its partition's progress. */
    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        long offset = metadata.offset();
        long recordHash = hash.hash(offset, record.timestamp(), record.key(), record.value(), record.headers());
        RawBucket bucket = RawBucket.of(metadata.partition(), record.timestamp());
        fingerprints.put(bucket, Objects.requireNonNullElse(fingerprints.get(bucket), Fingerprint.EMPTY).plus(offset, recordHash));
        progress.put(metadata.partition(), Objects.requireNonNullElse(progress.get(metadata.partition()), Fingerprint.EMPTY).plus(offset, 0));
    }

    /** One check: the archive side of every partition the task has read, then the consumer groups (partition 0's task). */
    void check(long nowMs) {
        Instant now = Instant.ofEpochMilli(nowMs);
        List<Integer> partitions = new ArrayList<>();
        try (KeyValueIterator<Integer, Fingerprint> all = progress.all()) {
            all.forEachRemaining(entry -> partitions.add(entry.key));
        }
        for (int partition : partitions) {
            try {
                checkPartition(partition, progress.get(partition), now);
            } catch (RuntimeException e) {
                // S3 or the broker unreachable: no verdict this time; the next check tries again.
                LOG.warn("Reconciliation check of {} partition {} failed: {}", topic, partition, reasons(e));
            }
        }
        Map<BucketStatus, Integer> counts = new EnumMap<>(BucketStatus.class);
        statuses.values().forEach(status -> counts.merge(status, 1, Integer::sum));
        metrics.buckets(counts);
        if (context.taskId().partition() == 0) {
            try {
                checkGroups(nowMs, now);
            } catch (RuntimeException e) {
                LOG.warn("Consumer group check for {} failed: {}", topic, reasons(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkPartition(int partition, Fingerprint read, Instant now) {
        if (archive == null) {
            s3 = S3ClientFactory.create(settings.s3());
            archive = new RawArchiveReader(s3, settings.s3().bucket(), settings.archivePrefix());
            archiveSource = new ArchivePartitionIndex.S3Source(s3, settings.s3().bucket(), archive);
        }
        ArchivePartitionIndex index = archives.computeIfAbsent(partition, any -> new ArchivePartitionIndex(topic, partition));
        long floor = floors.computeIfAbsent(partition, any -> Math.min(read.firstOffset(), logStartOffset(partition)));
        if (!index.refresh(archiveSource, floor, settings.maxObjectsPerCheck())) {
            return;
        }
        long completeBelow = index.completeBelow();
        Map<Long, Fingerprint> archived = index.hours();
        Map<Long, Fingerprint> topicHours = new HashMap<>();
        // Keys sort as unsigned big-endian bytes: hours from 0 (1970) up, the only ones a record with a valid timestamp has.
        try (KeyValueIterator<RawBucket, Fingerprint> range = fingerprints.range(new RawBucket(partition, 0),
                new RawBucket(partition, Long.MAX_VALUE))) {
            range.forEachRemaining(entry -> topicHours.put(entry.key.hour(), entry.value));
        }
        Map<Long, String> unreadable = index.unreadable();
        LongSupplier topicEnd = new LongSupplier() {
            private long end = -1;

            @Override
            public long getAsLong() {
                if (end < 0) {
                    TopicPartition topicPartition = new TopicPartition(topic, partition);
                    end = topicReader().endOffsets(List.of(topicPartition), READ_PATIENCE).get(topicPartition);
                }
                return end;
            }
        };
        BooleanSupplier compacted = new BooleanSupplier() {
            private Boolean policy;

            @Override
            public boolean getAsBoolean() {
                if (policy == null) {
                    policy = TopicArchiveComparison.compacted(clientConfig, topic);
                }
                return policy;
            }
        };
        Set<Long> hours = new TreeSet<>(topicHours.keySet());
        hours.addAll(archived.keySet());
        hours.addAll(unreadable.keySet());
        List<Candidate> candidates = new ArrayList<>();
        for (long hour : hours) {
            RawBucket bucket = new RawBucket(partition, hour);
            Fingerprint topicPrint = topicHours.getOrDefault(hour, Fingerprint.EMPTY);
            Fingerprint archivePrint = archived.getOrDefault(hour, Fingerprint.EMPTY);
            if (unreadable.containsKey(hour)) {
                // The archive holds bytes for this hour that are not its records: not the topic's records, whatever else
                // the readable objects hold. Not bisected (the object cannot be read); judged again once it is rewritten.
                forwardIfChanged(bucket, new RawBucketVerdict(bucket, BucketStatus.DIFFERENT, topicPrint, archivePrint, noDifferences(), 0),
                        unreadable.get(hour), now);
                continue;
            }
            Decision decision = decide(bucket, topicPrint, archivePrint, completeBelow, read.lastOffset(), topicEnd, statuses.get(bucket));
            if (decision.action() == Action.JUDGED) {
                bisected.remove(bucket);
                forwardIfChanged(bucket, decision.verdict(), decision.verdict().detail(), now);
            } else if (decision.action() == Action.BISECT) {
                Bisected inputs = Bisected.of(topicPrint, archivePrint, decision.readTo(), completeBelow);
                Bisected last = bisected.get(bucket);
                if (last != null && last.sameInputs(inputs)) {
                    forwardIfChanged(bucket, last.verdict(), last.detail(), now);
                } else {
                    candidates.add(new Candidate(bucket, inputs, decision.readTo(), topicPrint, archivePrint));
                }
            }
        }
        for (Candidate candidate : inBisectionOrder(candidates, lastBisected, settings.maxBisectionsPerCheck())) {
            Bisected made = bisect(candidate, index, floor, read, completeBelow, compacted.getAsBoolean());
            bisected.put(candidate.bucket(), made);
            lastBisected.put(candidate.bucket(), bisectionCount++);
            forwardIfChanged(candidate.bucket(), made.verdict(), made.detail(), now);
        }
    }

    /**
     * The candidates a check bisects: at most {@code budget}, those bisected longest ago first (never: first of all),
     * then in hour order. A bucket whose input keeps changing (late records into a differing hour) is so bisected at
     * most once per round of the partition's differing buckets, and cannot keep the later ones from being judged.
     *
     * @param lastBisected per bucket, the number of the bisection that last read it (higher: later)
     */
    static List<Candidate> inBisectionOrder(List<Candidate> candidates, Map<RawBucket, Long> lastBisected, int budget) {
        List<Candidate> ordered = new ArrayList<>(candidates);
        ordered.sort(Comparator.comparingLong((Candidate candidate) -> lastBisected.getOrDefault(candidate.bucket(), Long.MIN_VALUE))
                .thenComparing(Candidate::bucket));
        return ordered.subList(0, Math.min(ordered.size(), budget));
    }

    /** A bucket to bisect in this check, with what its bisection is reached from. */
    record Candidate(RawBucket bucket, Bisected inputs, long readTo, Fingerprint topicPrint, Fingerprint archivePrint) {
    }

    /**
     * What one bisection of a bucket was reached from, and its verdict. Bisecting the same inputs again reads the same
     * records, so a bucket whose difference persists is read once, not at every check: otherwise the buckets that
     * differ first in a partition would take its {@code max.bisections.per.check} at every check and the later ones
     * would never be judged.
     *
     * @param topic     the topology's fingerprint of the bucket
     * @param archive   the archive's fingerprint of the bucket
     * @param to        the highest offset the bisection reads
     * @param watermark the archive's completeness watermark as far as it splits the bucket (at most {@code to + 1})
     * @param verdict   the bisection's verdict, null in the inputs of one not yet made
     * @param detail    the verdict's detail as published, null in the inputs of one not yet made
     */
    record Bisected(Fingerprint topic, Fingerprint archive, long to, long watermark, RawBucketVerdict verdict, String detail) {

        static Bisected of(Fingerprint topic, Fingerprint archive, long readTo, long completeBelow) {
            long to = Math.min(readTo, Math.max(topic.lastOffset(), archive.lastOffset()));
            return new Bisected(topic, archive, to, Math.min(completeBelow, to + 1), null, null);
        }

        Bisected with(RawBucketVerdict made, String madeDetail) {
            return new Bisected(topic, archive, to, watermark, made, madeDetail);
        }

        boolean sameInputs(Bisected other) {
            return topic.equals(other.topic) && archive.equals(other.archive) && to == other.to && watermark == other.watermark;
        }
    }

    /** What a check does with one bucket, decided from the fingerprints alone. */
    enum Action {
        /** The verdict is known without reading a record. */
        JUDGED,
        /** Read the bucket again on both sides and narrow the difference to offsets. */
        BISECT,
        /** Not judged in this check: the archive holds offsets the topology has not read yet, but the topic has. */
        WAIT
    }

    /**
     * @param action  what to do
     * @param verdict the verdict when {@link Action#JUDGED}, else null
     * @param readTo  for {@link Action#BISECT}, the highest topic offset to read again
     */
    record Decision(Action action, RawBucketVerdict verdict, long readTo) {
    }

    /**
     * Decides what a check does with one bucket from its fingerprints.
     *
     * <ul>
     *   <li>The archive holds offsets of the bucket beyond the last one the topology read: if the topic's end offset
     *       ({@code topicEnd}, asked only then) is above them, the topology has not caught up: {@link Action#WAIT};
     *       otherwise the archive holds records the topic never had: {@link Action#BISECT} up to the topic's end (EXTRA).</li>
     *   <li>Same count and hash sum: OK.</li>
     *   <li>Every topic record of the bucket below the completeness watermark (closed): {@link Action#BISECT}.</li>
     *   <li>Some below and some at or above it (the archive's buffer still holds the latter): {@link Action#BISECT} when
     *       a difference below the watermark is known or certain, since {@link RawReconciliation} then judges the records
     *       below it and counts only those above as pending: the bucket's last status was MISSING, EXTRA or DIFFERENT (a
     *       late record arriving in a bucket already found MISSING must not hide it), the bucket's first offset differs
     *       on the two sides (the topic's is below the watermark, so the archive lacks it or holds one the topic does
     *       not: true after a restart too), the archive holds more records than the topic, or the archive holds fewer
     *       than the topic's records that must lie below the watermark (the bucket's count minus the offsets from the
     *       watermark to its last).</li>
     *   <li>Otherwise NOT_YET_ARCHIVED with the topic's records the archive lacks as pending (differences in the bucket
     *       are reported once it closes).</li>
     * </ul>
     *
     * @param completeBelow the archive's completeness watermark of the partition
     * @param readLast      the last offset of the partition the topology has read
     * @param topicEnd      the partition's end offset (read_committed: the last stable offset), asked at most once
     * @param lastStatus    the bucket's last verdict's status, null when none in this run
     */
    static Decision decide(RawBucket bucket, Fingerprint topicPrint, Fingerprint archivePrint, long completeBelow, long readLast,
                           LongSupplier topicEnd, BucketStatus lastStatus) {
        if (archivePrint.lastOffset() > readLast) {
            long end = topicEnd.getAsLong();
            return archivePrint.lastOffset() < end ? new Decision(Action.WAIT, null, -1) : new Decision(Action.BISECT, null, end - 1);
        }
        if (topicPrint.count() == archivePrint.count() && topicPrint.hashSum() == archivePrint.hashSum()) {
            return new Decision(Action.JUDGED, new RawBucketVerdict(bucket, BucketStatus.OK, topicPrint, archivePrint, noDifferences(), 0), -1);
        }
        Decision bisect = new Decision(Action.BISECT, null, readLast);
        if (topicPrint.lastOffset() < completeBelow) {
            return bisect;
        }
        if (topicPrint.firstOffset() < completeBelow) {
            // Not judged yet in this run (a restart forgets the last status): bisected once, since the estimate below
            // assumes the bucket's offsets are consecutive, which records of other hours between them break.
            boolean knownDifferent = lastStatus == null || lastStatus == BucketStatus.MISSING || lastStatus == BucketStatus.EXTRA
                    || lastStatus == BucketStatus.DIFFERENT;
            long atMostAbove = topicPrint.lastOffset() - completeBelow + 1;
            long atLeastBelow = topicPrint.count() - atMostAbove;
            if (knownDifferent || archivePrint.firstOffset() != topicPrint.firstOffset() || archivePrint.count() > topicPrint.count()
                    || archivePrint.count() < atLeastBelow) {
                return bisect;
            }
        }
        return new Decision(Action.JUDGED, new RawBucketVerdict(bucket, BucketStatus.NOT_YET_ARCHIVED, topicPrint, archivePrint, noDifferences(),
                Math.max(0, topicPrint.count() - archivePrint.count())), -1);
    }

    /**
     * Reads the bucket again on both sides and narrows the difference to offsets ({@link RawReconciliation}): the topic
     * from the first offset either side holds up to the candidate's {@code readTo}, never below the partition's
     * {@code floor} nor below its log start offset now (records retention deleted since cannot be asked of the topic, as
     * in {@code onepipe reconcile}); on a compacted topic, offsets only the archive holds once are compaction's, not
     * EXTRA. On a topic that is not compacted, the records the topology read below today's log start offset are then
     * checked against the archive's by count and hash sum ({@link #belowLogStart}): the topic can no longer name them,
     * but the topology's fingerprint still tells whether the archive holds exactly them.
     */
    private Bisected bisect(Candidate candidate, ArchivePartitionIndex index, long floor, Fingerprint read, long completeBelow, boolean compacted) {
        RawBucket bucket = candidate.bucket();
        Fingerprint topicPrint = candidate.topicPrint();
        Fingerprint archivePrint = candidate.archivePrint();
        RawRecords archived = new RawRecords();
        for (RawArchiveReader.ArchiveObject object : index.objectsOf(bucket.hour())) {
            archive.fetch(object, archived);
        }
        long logStart = logStartOffset(bucket.partition());
        long retainedFrom = Math.max(floor, logStart);
        long from = Math.max(retainedFrom, Math.min(topicPrint.firstOffset(), archivePrint.firstOffset()));
        long to = Math.min(candidate.readTo(), Math.max(topicPrint.lastOffset(), archivePrint.lastOffset()));
        RawRecords topicRecords = readTopic(bucket, from, to);
        OffsetHashes none = new OffsetHashes().seal();
        OffsetHashes topicHashes = topicRecords.buckets().getOrDefault(bucket, none);
        OffsetHashes archiveHashes = archived.buckets().getOrDefault(bucket, none);
        List<RawBucketVerdict> verdicts = RawReconciliation.compare(Map.of(bucket, topicHashes), Map.of(bucket, archiveHashes),
                Map.of(bucket.partition(), retainedFrom), Map.of(), Map.of(bucket.partition(), completeBelow), settings.offsetsLimit(), compacted);
        RawBucketVerdict verdict = verdicts.isEmpty()
                ? new RawBucketVerdict(bucket, BucketStatus.OK, topicPrint, archivePrint, noDifferences(), 0) : verdicts.get(0);
        if (!compacted && logStart > read.firstOffset()) {
            // count and hash sum are sums: the topology's records less those the topic still holds (offsets not known)
            Fingerprint retained = topicHashes.range(logStart, Long.MAX_VALUE);
            Fingerprint readBelow = new Fingerprint(topicPrint.count() - retained.count(), topicPrint.firstOffset(), logStart - 1,
                    topicPrint.hashSum() - retained.hashSum());
            Fingerprint archivedBelow = archiveHashes.range(read.firstOffset(), logStart - 1);
            Optional<Residual> residual = belowLogStart(readBelow, archivedBelow, logStart);
            if (residual.isPresent()) {
                BucketStatus status = combine(verdict.status(), residual.get().status());
                RawBucketVerdict whole = new RawBucketVerdict(bucket, status, topicPrint, archivePrint, verdict.differences(), verdict.pending());
                String detail = verdict.detail().isEmpty() ? residual.get().detail() : verdict.detail() + "; " + residual.get().detail();
                return candidate.inputs().with(whole, detail);
            }
        }
        return candidate.inputs().with(verdict, verdict.detail());
    }

    /**
     * What the archive's records of a bucket below the topic's log start offset are, against the records the topology
     * read there (its fingerprint minus the topic's records from the log start on), by count and hash sum alone.
     *
     * @param readBelow     the topology's records of the bucket below {@code logStart}
     * @param archivedBelow the archive's records of the bucket from the first offset the topology read to {@code logStart - 1}
     * @return empty when they are the same records; else MISSING (the archive holds fewer), EXTRA (more) or DIFFERENT
     *         (as many, other hashes), with a sentence saying so
     */
    static Optional<Residual> belowLogStart(Fingerprint readBelow, Fingerprint archivedBelow, long logStart) {
        if (readBelow.count() == archivedBelow.count() && readBelow.hashSum() == archivedBelow.hashSum()) {
            return Optional.empty();
        }
        if (readBelow.count() > archivedBelow.count()) {
            return Optional.of(new Residual(BucketStatus.MISSING, String.format(Locale.ROOT,
                    "%,d of the %,d records the topology read below the log start offset %d are not in the archive (the topic no longer"
                            + " holds them: offsets not named)", readBelow.count() - archivedBelow.count(), readBelow.count(), logStart)));
        }
        if (readBelow.count() < archivedBelow.count()) {
            return Optional.of(new Residual(BucketStatus.EXTRA, String.format(Locale.ROOT,
                    "the archive holds %,d records below the log start offset %d, %,d more than the topology read there (offsets not"
                            + " named)", archivedBelow.count(), logStart, archivedBelow.count() - readBelow.count())));
        }
        return Optional.of(new Residual(BucketStatus.DIFFERENT, String.format(Locale.ROOT,
                "the archive's %,d records below the log start offset %d are not those the topology read there (offsets not named)",
                archivedBelow.count(), logStart)));
    }

    /** A difference found by count and hash sum alone: its status and the sentence that says it. */
    record Residual(BucketStatus status, String detail) {
    }

    /** The status of a bucket with both a difference named by offsets (or none) and one by count and hash sum. */
    static BucketStatus combine(BucketStatus named, BucketStatus residual) {
        if (named == BucketStatus.OK || named == BucketStatus.NOT_YET_ARCHIVED || named == residual) {
            return residual;
        }
        return BucketStatus.DIFFERENT;
    }

    private long logStartOffset(int partition) {
        TopicPartition topicPartition = new TopicPartition(topic, partition);
        return topicReader().beginningOffsets(List.of(topicPartition), READ_PATIENCE).get(topicPartition);
    }

    /** The records of {@code bucket}'s hour among the partition's offsets {@code [from, to]}, read_committed. */
    private RawRecords readTopic(RawBucket bucket, long from, long to) {
        KafkaConsumer<byte[], byte[]> reader = topicReader();
        TopicPartition partition = new TopicPartition(topic, bucket.partition());
        reader.assign(List.of(partition));
        reader.seek(partition, from);
        RawRecords records = new RawRecords(java.util.Optional.of(bucket.start()), java.util.Optional.of(bucket.start().plus(Duration.ofHours(1))));
        long deadline = System.nanoTime() + READ_PATIENCE.toNanos();
        while (reader.position(partition) <= to) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Could not read " + partition + " offsets " + from + ".." + to + " within " + READ_PATIENCE);
            }
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(POLL)) {
                if (record.offset() <= to) {
                    records.add(record.partition(), record.offset(), record.timestamp(), record.key(), record.value(), record.headers());
                }
            }
        }
        return records;
    }

    /** The read_committed consumer of the dataset's topic for bisection and end offsets (no group), created once. */
    private KafkaConsumer<byte[], byte[]> topicReader() {
        if (topicReader == null) {
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            // Retention may delete the first offsets to read after the log start was asked: read on from the new one.
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
            topicReader = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        return topicReader;
    }

    private void forwardIfChanged(RawBucket bucket, RawBucketVerdict verdict, String detail, Instant now) {
        statuses.put(bucket, verdict.status());
        GenericRecord record = ReconciliationDataset.rawVerdict(dataset, verdict, now);
        record.put("detail", detail);
        GenericRecord last = lastVerdicts.get(bucket);
        if (last != null && sameExceptTime(last, record)) {
            return;
        }
        lastVerdicts.put(bucket, record);
        context.forward(new Record<>(ReconciliationDataset.key(record), record, now.toEpochMilli()));
    }

    private static boolean sameExceptTime(GenericRecord left, GenericRecord right) {
        return left.getSchema().getFields().stream().filter(field -> !field.name().equals("checked_at"))
                .allMatch(field -> Objects.equals(left.get(field.pos()), right.get(field.pos())));
    }

    private void checkGroups(long nowMs, Instant now) throws InterruptedException {
        if (groups == null) {
            groups = new ConsumerGroupWatch(clientConfig, settings.groupWindow());
        }
        groups.sample(groups.groups(GROUP_PREFIX, List.of()), nowMs);
        Set<String> reading = groups.groupsReading(topic);
        Map<LagStatus, Integer> counts = new EnumMap<>(LagStatus.class);
        for (ConsumerGroupWatch.GroupStatus status : groups.statuses(nowMs)) {
            if (reading.contains(status.group())) {
                counts.merge(status.status(), 1, Integer::sum);
                GenericRecord record = ReconciliationDataset.groupVerdict(dataset, status, now);
                context.forward(new Record<>(ReconciliationDataset.key(record), record, nowMs));
            }
        }
        metrics.groups(counts);
    }

    /** The error and each of its causes ({@code toString}, joined by "; caused by: "): the reason is usually in a cause. */
    static String reasons(Throwable error) {
        StringBuilder text = new StringBuilder(error.toString());
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append("; caused by: ").append(cause);
        }
        return text.toString();
    }

    private static OffsetBisection.Differences noDifferences() {
        OffsetHashes none = new OffsetHashes().seal();
        return OffsetBisection.compare(none, none, 0, -1, 0);
    }

    @Override
    public void close() {
        if (punctuation != null) {
            punctuation.cancel();
        }
        metrics.close();
        if (topicReader != null) {
            topicReader.close();
        }
        if (groups != null) {
            groups.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
