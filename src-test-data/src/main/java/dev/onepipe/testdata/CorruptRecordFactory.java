package dev.onepipe.testdata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Makes corrupt copies of valid records. Generators emit a corrupt copy just before the valid record it was
 * made from, so corrupt records never replace data: expected results over valid records do not depend on them.
 */
final class CorruptRecordFactory {

    private static final CorruptionKind[] KINDS = CorruptionKind.values();
    private static final int MAXIMUM_GARBAGE_LENGTH = 64;

    private CorruptRecordFactory() {
    }

    /**
     * Probability of putting a corrupt copy before each valid record so that corrupt records make up
     * {@code corruptShare} of all emitted records: p / (1 + p) = share.
     */
    static double copyProbability(final double corruptShare) {
        return corruptShare / (1.0 - corruptShare);
    }

    /** A corrupt record with the same dataset, key and timestamp as {@code valid}; the kind is chosen uniformly. */
    static GeneratedRecord corruptCopyOf(final GeneratedRecord valid, final SplittableRandom random) {
        final CorruptionKind kind = KINDS[random.nextInt(KINDS.length)];
        final byte[] payload;
        switch (kind) {
            case GARBAGE_BYTES:
                payload = new byte[1 + random.nextInt(MAXIMUM_GARBAGE_LENGTH)];
                for (int index = 0; index < payload.length; index++) {
                    payload[index] = (byte) random.nextInt(256);
                }
                // Anything but the magic byte, so the frame check itself fails.
                payload[0] = (byte) (1 + random.nextInt(255));
                break;
            case UNKNOWN_SCHEMA_ID:
                final byte[] body = avroBinary(valid.value());
                payload = ByteBuffer.allocate(GeneratedRecord.HEADER_LENGTH + body.length)
                    .put(GeneratedRecord.MAGIC_BYTE)
                    .putInt(GeneratedRecord.UNKNOWN_SCHEMA_ID)
                    .put(body)
                    .array();
                break;
            case TRUNCATED:
                final byte[] complete = avroBinary(valid.value());
                // A strict prefix never decodes: Avro binary of a record is prefix-free.
                payload = Arrays.copyOf(complete, random.nextInt(complete.length));
                break;
            default:
                throw new IllegalStateException("Unhandled corruption kind " + kind);
        }
        return GeneratedRecord.corrupt(valid.dataset(), valid.key(), valid.timestampMillis(), kind, payload);
    }

    static byte[] avroBinary(final GenericRecord value) {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(output, null);
        try {
            new GenericDatumWriter<GenericRecord>(value.getSchema()).write(value, encoder);
            encoder.flush();
        } catch (final IOException exception) {
            throw new UncheckedIOException(exception);
        }
        return output.toByteArray();
    }
}
