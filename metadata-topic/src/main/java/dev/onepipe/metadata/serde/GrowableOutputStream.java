package dev.onepipe.metadata.serde;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A reusable, unsynchronized byte buffer for one thread's serializations. {@link java.io.ByteArrayOutputStream}
 * synchronizes every call, which costs an atomic operation per call on every record.
 */
final class GrowableOutputStream extends OutputStream {

    private byte[] buffer;
    private int size;

    GrowableOutputStream(int initialCapacity) {
        buffer = new byte[initialCapacity];
    }

    @Override
    public void write(int value) {
        ensureCapacity(size + 1);
        buffer[size++] = (byte) value;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        ensureCapacity(size + length);
        System.arraycopy(bytes, offset, buffer, size, length);
        size += length;
    }

    void reset() {
        size = 0;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buffer, size);
    }

    private void ensureCapacity(int capacity) {
        if (capacity > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(capacity, buffer.length * 2));
        }
    }
}
