package dev.onepipe.reconciliation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The registered dataset {@value #NAME} that {@code onepipe run reconciliation} writes its verdicts to: one record per
 * (dataset, pair of systems, bucket), keyed by those three fields (the dataset's unique key, encoded as every onepipe
 * producer encodes it), so the compacted topic is an upsert view holding the latest verdict of every bucket. The
 * value schema is {@code onepipe/reconciliation-verdict.avsc} in this module's jar.
 */
public final class ReconciliationDataset {

    /** The dataset's name and its topic's. */
    public static final String NAME = "onepipe-reconciliation";
    /** The systems field of a topic ↔ raw archive verdict. */
    public static final String TOPIC_RAW_ARCHIVE = "topic/raw-archive";
    /** The systems field of an offsets-monitoring verdict (one consuming application's consumer group). */
    public static final String CONSUMER_GROUP = "consumer-group";
    /** The verdicts' value schema. */
    public static final Schema SCHEMA = new Schema.Parser().parse(resource("onepipe/reconciliation-verdict.avsc"));
    /** The dataset's metadata: unique key (dataset, systems, bucket), latest verdict wins. */
    public static final DatasetMetadata METADATA = DatasetMetadata.builder(NAME)
            .topic(NAME)
            .valueSubject(NAME + DatasetMetadata.VALUE_SUBJECT_SUFFIX)
            .uniqueKey("dataset", "systems", "bucket")
            .ordering("checked_at")
            .eventTimeField("checked_at")
            .description("Verdicts of onepipe run reconciliation: per dataset, pair of systems and bucket, the latest comparison")
            .build();

    private static final UniqueKeyEncoder KEYS = UniqueKeyEncoder.forDataset(METADATA);

    private ReconciliationDataset() {
    }

    /** {@code partition=3/hour=2026-11-22T07}: the bucket field of a raw bucket. */
    public static String bucketName(RawBucket bucket) {
        return "partition=" + bucket.partition() + "/hour=" + bucket.start().toString().substring(0, 13);
    }

    /** The record's key: its unique key (dataset, systems, bucket) as {@link UniqueKeyEncoder} writes it. */
    public static String key(GenericRecord verdict) {
        return KEYS.encode(verdict);
    }

    /** The verdict record of one raw bucket, topic against raw archive, reached at {@code checkedAt}. */
    public static GenericRecord rawVerdict(String dataset, RawBucketVerdict verdict, Instant checkedAt) {
        GenericRecord record = base(dataset, TOPIC_RAW_ARCHIVE, bucketName(verdict.bucket()), verdict.status().name(), checkedAt);
        record.put("partition", verdict.bucket().partition());
        record.put("bucket_start", verdict.bucket().start().toEpochMilli());
        record.put("first_system_records", verdict.topic().count());
        record.put("second_system_records", verdict.archive().count());
        Fingerprint both = verdict.topic().combine(verdict.archive());
        record.put("first_offset", both.isEmpty() ? null : both.firstOffset());
        record.put("last_offset", both.isEmpty() ? null : both.lastOffset());
        OffsetBisection.Differences differences = verdict.differences();
        record.put("missing_offsets", differences.missing().listed());
        record.put("extra_offsets", differences.extra().listed());
        record.put("different_offsets", differences.different().listed());
        long unlisted = 0;
        for (OffsetBisection.OffsetList list : List.of(differences.missing(), differences.extra(), differences.different())) {
            unlisted += list.offsets() - list.listed().size();
        }
        record.put("unlisted_offsets", unlisted);
        record.put("pending_records", verdict.pending());
        record.put("detail", verdict.detail());
        return record;
    }

    /** The verdict record of one consuming application's consumer group, by Burrow's rules. */
    public static GenericRecord groupVerdict(String dataset, ConsumerGroupWatch.GroupStatus status, Instant checkedAt) {
        GenericRecord record = base(dataset, CONSUMER_GROUP, status.group(), status.status().name(), checkedAt);
        record.put("first_system_records", (long) status.partitions());
        record.put("second_system_records", 0L);
        record.put("lag", status.lag());
        record.put("detail", String.format(Locale.ROOT, "lag %,d, %.1f offsets/s, %s%s", status.lag(), status.ratePerSec(),
                status.members() ? "members" : "no members", status.worst().map(worst -> ", worst partition " + worst).orElse("")));
        return record;
    }

    private static GenericRecord base(String dataset, String systems, String bucket, String status, Instant checkedAt) {
        GenericRecord record = new GenericData.Record(SCHEMA);
        record.put("dataset", dataset);
        record.put("systems", systems);
        record.put("bucket", bucket);
        record.put("status", status);
        record.put("missing_offsets", List.of());
        record.put("extra_offsets", List.of());
        record.put("different_offsets", List.of());
        record.put("unlisted_offsets", 0L);
        record.put("pending_records", 0L);
        record.put("detail", "");
        record.put("checked_at", checkedAt.toEpochMilli());
        return record;
    }

    private static String resource(String name) {
        try (InputStream in = ReconciliationDataset.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
