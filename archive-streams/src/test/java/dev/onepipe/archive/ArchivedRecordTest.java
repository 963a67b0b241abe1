package dev.onepipe.archive;

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
}
