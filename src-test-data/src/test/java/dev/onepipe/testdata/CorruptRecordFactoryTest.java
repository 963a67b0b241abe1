package dev.onepipe.testdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

class CorruptRecordFactoryTest {

    private static final int REGISTERED_SCHEMA_ID = 42;

    @Test
    void everyKindIsBrokenTheWayItClaims() throws Exception {
        final GeneratedRecord valid = new WidgetGenerator(WidgetGeneratorConfig.builder().noDefects().build()).next();
        final Schema schema = SampleDatasets.schema(SampleDatasets.WIDGETS);
        final SplittableRandom random = new SplittableRandom(3);
        final Map<CorruptionKind, Integer> seen = new EnumMap<>(CorruptionKind.class);
        for (int attempt = 0; attempt < 300; attempt++) {
            final GeneratedRecord corrupt = CorruptRecordFactory.corruptCopyOf(valid, random);
            assertTrue(corrupt.isCorrupt());
            assertEquals(valid.dataset(), corrupt.dataset());
            assertEquals(valid.key(), corrupt.key());
            assertEquals(valid.timestampMillis(), corrupt.timestampMillis());
            final byte[] bytes = corrupt.corruptBytes(REGISTERED_SCHEMA_ID);
            seen.merge(corrupt.corruptionKind(), 1, Integer::sum);
            switch (corrupt.corruptionKind()) {
                case GARBAGE_BYTES:
                    assertTrue(bytes.length >= 1);
                    assertNotEquals(0, bytes[0], "garbage must not start with the magic byte");
                    break;
                case UNKNOWN_SCHEMA_ID:
                    assertEquals(0, bytes[0]);
                    assertEquals(GeneratedRecord.UNKNOWN_SCHEMA_ID, ByteBuffer.wrap(bytes, 1, 4).getInt());
                    assertEquals(valid.value(), decode(schema, Arrays.copyOfRange(bytes, 5, bytes.length)),
                        "the body is valid; only the id is unknown");
                    break;
                case TRUNCATED:
                    assertEquals(0, bytes[0]);
                    assertEquals(REGISTERED_SCHEMA_ID, ByteBuffer.wrap(bytes, 1, 4).getInt());
                    final byte[] body = Arrays.copyOfRange(bytes, 5, bytes.length);
                    assertTrue(body.length < CorruptRecordFactory.avroBinary(valid.value()).length);
                    assertThrows(Exception.class, () -> decode(schema, body));
                    break;
                default:
                    throw new AssertionError(corrupt.corruptionKind());
            }
        }
        assertEquals(CorruptionKind.values().length, seen.size(), "every kind occurs: " + seen);
    }

    @Test
    void corruptBytesAreCopiesThatCallersCannotChange() {
        final GeneratedRecord corrupt = GeneratedRecord.corrupt("widgets", "widget-000001", 0L, CorruptionKind.GARBAGE_BYTES,
            new byte[] {5, 6, 7});
        corrupt.corruptBytes(1)[0] = 9;
        assertArrayEquals(new byte[] {5, 6, 7}, corrupt.corruptBytes(1));
    }

    @Test
    void validAndCorruptRecordsGuardTheirAccessors() {
        final GeneratedRecord valid = new WidgetGenerator(WidgetGeneratorConfig.builder().noDefects().build()).next();
        assertThrows(IllegalStateException.class, valid::corruptionKind);
        assertThrows(IllegalStateException.class, () -> valid.corruptBytes(1));
        final GeneratedRecord corrupt = GeneratedRecord.corrupt("widgets", "widget-000001", 0L, CorruptionKind.GARBAGE_BYTES,
            new byte[] {1});
        assertThrows(IllegalStateException.class, corrupt::value);
    }

    @Test
    void copyProbabilityYieldsTheShareOfAllRecords() {
        final double probability = CorruptRecordFactory.copyProbability(0.2);
        assertEquals(0.2, probability / (1 + probability), 1e-12);
        assertEquals(0.0, CorruptRecordFactory.copyProbability(0.0));
    }

    private static GenericRecord decode(final Schema schema, final byte[] body) throws Exception {
        return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(body, null));
    }
}
