package dev.onepipe.archive.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ArchivedRecordTest {

    @Test
    void keepsNullsEmptinessAndHeaderOrderThroughTheBuffer() {
        ArchivedRecord record = new ArchivedRecord(42, 40, 1_700_000_000_123L, null, new byte[0],
                List.of(new ArchivedRecord.Header("b", null), new ArchivedRecord.Header("a", new byte[] {7}), new ArchivedRecord.Header("b", new byte[0])));
        assertEquals(record, ArchivedRecord.deserialize(42, 40, record.serialize()));
        byte[] withRoom = record.serialize(8);
        assertEquals(record, ArchivedRecord.deserialize(42, 40, withRoom, 8));
        ArchivedRecord tombstone = new ArchivedRecord(43, 42, 0, new byte[] {1, 2, 3}, null, List.of());
        assertEquals(tombstone, ArchivedRecord.deserialize(43, 42, tombstone.serialize()));
    }

    @Test
    void serializedSizeIsTheLengthOfTheSerializedRecord() {
        ArchivedRecord record = new ArchivedRecord(42, 40, 1_700_000_000_123L, new byte[] {1}, new byte[300],
                List.of(new ArchivedRecord.Header("ü-key", null), new ArchivedRecord.Header("b", new byte[5])));
        assertEquals(record.serialize(8).length, record.serializedSize(8));
        ArchivedRecord bare = new ArchivedRecord(43, 42, 0, null, null, List.of());
        assertEquals(bare.serialize().length, bare.serializedSize(0));
    }
}
