package dev.onepipe.reconciliation;

import java.io.EOFException;
import java.nio.ByteBuffer;

import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet {@link InputFile} over bytes already in memory (an object just fetched from S3): no temporary file. */
final class InMemoryInputFile implements InputFile {

    private final byte[] bytes;

    InMemoryInputFile(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long getLength() {
        return bytes.length;
    }

    @Override
    public SeekableInputStream newStream() {
        return new SeekableInputStream() {
            private int position;

            @Override
            public long getPos() {
                return position;
            }

            @Override
            public void seek(long newPosition) throws EOFException {
                if (newPosition < 0 || newPosition > bytes.length) {
                    throw new EOFException("Cannot seek to " + newPosition + " of " + bytes.length + " bytes");
                }
                position = (int) newPosition;
            }

            @Override
            public int read() {
                return position < bytes.length ? bytes[position++] & 0xff : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position >= bytes.length) {
                    return length == 0 ? 0 : -1;
                }
                int read = Math.min(length, bytes.length - position);
                System.arraycopy(bytes, position, buffer, offset, read);
                position += read;
                return read;
            }

            @Override
            public void readFully(byte[] buffer) throws EOFException {
                readFully(buffer, 0, buffer.length);
            }

            @Override
            public void readFully(byte[] buffer, int offset, int length) throws EOFException {
                if (bytes.length - position < length) {
                    throw new EOFException("Reached the end of " + bytes.length + " bytes");
                }
                System.arraycopy(bytes, position, buffer, offset, length);
                position += length;
            }

            @Override
            public int read(ByteBuffer buffer) {
                if (position >= bytes.length) {
                    return buffer.hasRemaining() ? -1 : 0;
                }
                int read = Math.min(buffer.remaining(), bytes.length - position);
                buffer.put(bytes, position, read);
                position += read;
                return read;
            }

            @Override
            public void readFully(ByteBuffer buffer) throws EOFException {
                if (bytes.length - position < buffer.remaining()) {
                    throw new EOFException("Reached the end of " + bytes.length + " bytes");
                }
                int length = buffer.remaining();
                buffer.put(bytes, position, length);
                position += length;
            }
        };
    }

    /** Parquet names the file by this in its errors ("... is not a Parquet file"): the body's size, not an object identity. */
    @Override
    public String toString() {
        return "the object's body (" + bytes.length + " bytes)";
    }
}
