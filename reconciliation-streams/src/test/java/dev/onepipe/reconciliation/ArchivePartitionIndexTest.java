package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The archive index's cache, objects in memory behind its {@link ArchivePartitionIndex.ArchiveSource} seam (listing and
 * reading S3 is {@code ReconciliationTopologyIT}'s): an object is known by key and ETag and size, so one rewritten under
 * the same key is read again; an unreadable object is named with its reason and does not hide the partition's others.
 */
class ArchivePartitionIndexTest {

    private static final String TOPIC = "widgets";
    private static final Instant HOUR_7 = Instant.parse("2026-11-22T07:00:00Z");
    private static final long HOUR_7_INDEX = HOUR_7.getEpochSecond() / 3600;
    private static final Instant HOUR_8 = HOUR_7.plusSeconds(3600);

    /** One stored object: its records (offset, value), watermark, ETag, or the error reading it throws. */
    private record Stored(RawArchiveReader.ArchiveObject object, String eTag, Instant time, List<String> values, long completeBelow,
                          RuntimeException error) {
    }

    /** An archive of one partition in memory that counts its GETs. */
    private static final class MemoryArchive implements ArchivePartitionIndex.ArchiveSource {
        final Map<String, Stored> objects = new TreeMap<>();
        final List<String> fetched = new ArrayList<>();

        void put(String key, String eTag, long size, Instant time, long firstOffset, List<String> values, long completeBelow) {
            objects.put(key, new Stored(new RawArchiveReader.ArchiveObject(key, 0, time.getEpochSecond() / 3600, firstOffset, size), eTag, time, values,
                    completeBelow, null));
        }

        void putUnreadable(String key, String eTag, Instant time, long firstOffset, RuntimeException error) {
            objects.put(key, new Stored(new RawArchiveReader.ArchiveObject(key, 0, time.getEpochSecond() / 3600, firstOffset, 7), eTag, time, List.of(),
                    0, error));
        }

        @Override
        public List<ArchivePartitionIndex.ListedObject> list(String topic, int partition) {
            List<ArchivePartitionIndex.ListedObject> listed = new ArrayList<>();
            objects.values().forEach(stored -> listed.add(new ArchivePartitionIndex.ListedObject(stored.object(), stored.eTag())));
            listed.sort((left, right) -> Long.compare(left.object().startOffset(), right.object().startOffset()));
            return listed;
        }

        @Override
        public OptionalLong fetch(RawArchiveReader.ArchiveObject object, RawRecords records) {
            fetched.add(object.key());
            Stored stored = objects.get(object.key());
            if (stored.error() != null) {
                throw stored.error();
            }
            for (int index = 0; index < stored.values().size(); index++) {
                records.add(0, object.startOffset() + index, stored.time().toEpochMilli(), bytes("k" + index), bytes(stored.values().get(index)),
                        new RecordHeaders());
            }
            return OptionalLong.of(stored.completeBelow());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The fingerprint of records k0.. with these values from {@code firstOffset} on, by the documented record hash. */
    private static Fingerprint print(Instant time, long firstOffset, String... values) {
        RecordHash hash = new RecordHash();
        Fingerprint print = Fingerprint.EMPTY;
        for (int index = 0; index < values.length; index++) {
            print = print.plus(firstOffset + index, hash.hash(firstOffset + index, time.toEpochMilli(), bytes("k" + index), bytes(values[index]),
                    new RecordHeaders()));
        }
        return print;
    }

    private static String key(Instant time, long firstOffset) {
        return "raw/widgets/partition=0/date=2026-11-22/hour=" + time.toString().substring(11, 13) + "/widgets-0-" + firstOffset + ".parquet";
    }

    @Test
    void readsAnObjectAgainWhenItsETagOrSizeChangesUnderTheSameKey() {
        MemoryArchive archive = new MemoryArchive();
        String key = key(HOUR_7, 0);
        archive.put(key, "\"etag-1\"", 100, HOUR_7, 0, List.of("one", "two", "three"), 3);
        ArchivePartitionIndex index = new ArchivePartitionIndex(TOPIC, 0);

        assertTrue(index.refresh(archive, 0, 100));
        assertEquals(Map.of(HOUR_7_INDEX, print(HOUR_7, 0, "one", "two", "three")), index.hours());
        assertTrue(index.refresh(archive, 0, 100));
        assertEquals(List.of(key), archive.fetched, "an object listed with the ETag and size it was read with is not read again");

        // One value byte flipped, put back under the same key with its metadata: same size, another ETag.
        archive.put(key, "\"etag-2\"", 100, HOUR_7, 0, List.of("one", "twO", "three"), 3);
        assertTrue(index.refresh(archive, 0, 100));
        assertEquals(List.of(key, key), archive.fetched);
        assertEquals(Map.of(HOUR_7_INDEX, print(HOUR_7, 0, "one", "twO", "three")), index.hours());
        assertNotEquals(print(HOUR_7, 0, "one", "two", "three"), index.hours().get(HOUR_7_INDEX));

        // The archive uploads an idle-flushed chunk again under the same key with more records and a higher watermark.
        archive.put(key, "\"etag-2\"", 140, HOUR_7, 0, List.of("one", "twO", "three", "four"), 4);
        assertTrue(index.refresh(archive, 0, 100));
        assertEquals(3, archive.fetched.size(), "a size change alone is a new version");
        assertEquals(Map.of(HOUR_7_INDEX, print(HOUR_7, 0, "one", "twO", "three", "four")), index.hours());
        assertEquals(4, index.completeBelow());
    }

    @Test
    void anUnreadableObjectIsNamedWithItsReasonAndTheOthersAreStillCounted() {
        MemoryArchive archive = new MemoryArchive();
        String good = key(HOUR_7, 0);
        String garbage = key(HOUR_8, 3);
        archive.put(good, "\"g\"", 100, HOUR_7, 0, List.of("one", "two", "three"), 3);
        // As RawArchiveReader reports a body that is not Parquet.
        archive.putUnreadable(garbage, "\"x\"", HOUR_8, 3, new UncheckedIOException("Cannot read the raw archive object s3://archive/" + garbage,
                new IOException("Object " + garbage + " is not a raw archive Parquet file: widgets is not a Parquet file (too small length: 7)")));
        ArchivePartitionIndex index = new ArchivePartitionIndex(TOPIC, 0);

        assertTrue(index.refresh(archive, 0, 100), "an unreadable object does not leave the partition unjudged");
        assertEquals(Map.of(HOUR_7_INDEX, print(HOUR_7, 0, "one", "two", "three")), index.hours());
        assertEquals(3, index.completeBelow());
        assertEquals(Map.of(HOUR_7_INDEX + 1, "object " + garbage + " unreadable: not a raw archive Parquet file: widgets is not a Parquet file"
                + " (too small length: 7)"), index.unreadable());

        assertTrue(index.refresh(archive, 0, 100));
        assertEquals(2, archive.fetched.size(), "an unreadable object is not fetched again until it changes");

        archive.put(garbage, "\"y\"", 90, HOUR_8, 3, List.of("four"), 4);
        assertTrue(index.refresh(archive, 0, 100));
        assertEquals(Map.of(), index.unreadable());
        assertEquals(Map.of(HOUR_7_INDEX, print(HOUR_7, 0, "one", "two", "three"), HOUR_7_INDEX + 1, print(HOUR_8, 3, "four")), index.hours());

        archive.putUnreadable(garbage, "\"z\"", HOUR_8, 3, new NumberFormatException("For input string: \"soon\""));
        assertTrue(index.refresh(archive, 0, 100));
        assertEquals(Map.of(HOUR_7_INDEX + 1, "object " + garbage + " unreadable: For input string: \"soon\""), index.unreadable());
    }
}
