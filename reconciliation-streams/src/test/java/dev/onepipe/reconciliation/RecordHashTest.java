package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class RecordHashTest {

    /**
     * Expected values computed outside this code base: a plain Python implementation of the xxHash64 specification
     * (checked against the specification's vector for empty input, 0xEF46DB3751D8E999) over the encoding the class
     * documents, written out by hand with {@code struct.pack('>q...')}.
     */
    @Test
    void hashesTheDocumentedEncodingWithXxHash64() {
        RecordHash hash = new RecordHash();
        List<Header> headers = List.of(new RecordHeader("trace", bytes("abc")), new RecordHeader("empty", null));
        assertEquals(-1257495375047065082L, hash.hash(42, 1_700_000_000_000L, bytes("widget-1"), bytes("{\"price\":3}"), headers));
        assertEquals(5983398641975375801L, hash.hash(0, 0, null, new byte[0], List.of()));
        assertEquals(2241872648617016504L, hash.hash(7, 1, new byte[0], null, List.of()));
        ByteBuffer key = ByteBuffer.wrap(bytes("..widget-1")).position(2);
        assertEquals(-1257495375047065082L, hash.hashBuffers(42, 1_700_000_000_000L, key, ByteBuffer.wrap(bytes("{\"price\":3}")), headers));
        assertEquals(2, key.position(), "the buffer's position is left as it was");
        assertEquals(2241872648617016504L, hash.hashBuffers(7, 1, ByteBuffer.allocate(0), null, List.of()));
    }

    @Test
    void everyPartOfTheRecordCounts() {
        RecordHash hash = new RecordHash();
        long base = hash.hash(5, 100, bytes("ab"), bytes("c"), List.of(new RecordHeader("h", bytes("1"))));
        assertNotEquals(base, hash.hash(6, 100, bytes("ab"), bytes("c"), List.of(new RecordHeader("h", bytes("1")))), "offset");
        assertNotEquals(base, hash.hash(5, 101, bytes("ab"), bytes("c"), List.of(new RecordHeader("h", bytes("1")))), "timestamp");
        assertNotEquals(base, hash.hash(5, 100, bytes("a"), bytes("bc"), List.of(new RecordHeader("h", bytes("1")))), "key/value boundary");
        assertNotEquals(base, hash.hash(5, 100, bytes("ab"), bytes("c"), List.of(new RecordHeader("h", bytes("2")))), "header value");
        assertNotEquals(base, hash.hash(5, 100, bytes("ab"), bytes("c"), List.of()), "headers");
        assertNotEquals(hash.hash(5, 100, null, bytes("c"), List.of()), hash.hash(5, 100, new byte[0], bytes("c"), List.of()), "null vs empty key");
        List<Header> ordered = List.of(new RecordHeader("a", bytes("1")), new RecordHeader("b", bytes("2")));
        List<Header> reversed = List.of(new RecordHeader("b", bytes("2")), new RecordHeader("a", bytes("1")));
        assertNotEquals(hash.hash(5, 100, null, null, ordered), hash.hash(5, 100, null, null, reversed), "header order");
    }

    @Test
    void aLargeRecordGrowsTheBuffer() {
        RecordHash hash = new RecordHash();
        byte[] large = new byte[100_000];
        large[99_999] = 1;
        long first = hash.hash(1, 1, null, large, List.of());
        large[99_999] = 2;
        assertNotEquals(first, hash.hash(1, 1, null, large, List.of()));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
