package dev.onepipe.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MetadataKeyTest {

    private static byte[] ascii(final String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void encodesKindNameAndVersionAsAsciiText() {
        assertArrayEquals(ascii("schema/widgets-value/3"), MetadataKey.schema("widgets-value", 3).toBytes());
        assertArrayEquals(ascii("dataset/widgets/12"), MetadataKey.dataset("widgets", 12).toBytes());
        assertArrayEquals(ascii("schema/a.b_c-D9/2147483647"), MetadataKey.schema("a.b_c-D9", Integer.MAX_VALUE).toBytes());
    }

    @Test
    void parsesItsOwnEncoding() {
        final MetadataKey key = MetadataKey.parse(ascii("dataset/widgets/12")).orElseThrow();
        assertEquals(MetadataKey.Kind.DATASET, key.kind());
        assertEquals("widgets", key.name());
        assertEquals(12, key.version());
        assertEquals(MetadataKey.schema("x", 1), MetadataKey.parse(ascii("schema/x/1")).orElseThrow());
    }

    @Test
    void rejectsEveryOtherSpellingOfAKey() {
        for (final String spelling : new String[] {"schema/widgets/01", "schema/widgets/+1", "schema/widgets/0",
            "Schema/widgets/1", "schema/widgets/1 ", " schema/widgets/1", "schema//1", "schema/wid/gets/1",
            "schema/widgets", "topic/widgets/1", "schema/widgets/2147483648", "schema/widgets/99999999999",
            "schema/wídgets/1", "schema/widgets/1\n", ""}) {
            assertTrue(MetadataKey.parse(spelling.getBytes(StandardCharsets.UTF_8)).isEmpty(), spelling);
        }
        assertTrue(MetadataKey.parse(new byte[] {'s', 'c', 'h', 'e', 'm', 'a', '/', (byte) 0xC3, '/', '1'}).isEmpty());
        assertTrue(MetadataKey.parse(null).isEmpty());
    }

    @Test
    void refusesToBuildKeysThatCouldNotBeParsed() {
        assertThrows(IllegalArgumentException.class, () -> MetadataKey.schema("with/slash", 1));
        assertThrows(IllegalArgumentException.class, () -> MetadataKey.schema("", 1));
        assertThrows(IllegalArgumentException.class, () -> MetadataKey.schema("x".repeat(250), 1));
        assertThrows(IllegalArgumentException.class, () -> MetadataKey.dataset("widgets", 0));
        MetadataKey.schema("x".repeat(249), 1);
    }
}
