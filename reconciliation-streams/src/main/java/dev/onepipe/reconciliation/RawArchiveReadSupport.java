package dev.onepipe.reconciliation;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads a raw archive object's rows straight into a {@link RawRecords}, through Parquet's own record assembly (a
 * {@link ReadSupport} and its converters) instead of parquet-avro: only the columns the {@link RecordHash} covers are
 * decoded ({@code offset}, {@code timestamp}, {@code key}, {@code value}, {@code headers}; not
 * {@code previous_offset} nor {@code timestamp_type}), and no Avro record, {@code ByteBuffer} or array is made per row:
 * key and value are copied once into buffers reused from row to row and hashed from there.
 *
 * <p>The columns are those archive-streams/README.md ("What lands in S3") documents, found by name. A header is any
 * group with a {@code key} and a {@code value} field inside {@code headers}, so both list layouts parquet-avro writes
 * (the two-level {@code repeated group array} and the three-level {@code list/element}) read the same. A header key is
 * decoded as UTF-8 to a {@code String}, as a Kafka client decodes it, and hashed from there.
 *
 * <p>The records {@code ParquetReader.read()} returns carry nothing (a non-null marker: a null would end the row group
 * early): each row goes to the {@link RawRecords} when its assembly ends.
 */
final class RawArchiveReadSupport extends ReadSupport<Boolean> {

    private static final List<String> COLUMNS = List.of("offset", "timestamp", "key", "value", "headers");

    private final int partition;
    private final RawRecords records;

    /**
     * @param partition the partition the object's records come from (from its key)
     * @param records   where each row goes
     */
    RawArchiveReadSupport(int partition, RawRecords records) {
        this.partition = partition;
        this.records = records;
    }

    /**
     * Requests the hashed columns only.
     *
     * @throws IllegalArgumentException when the file has no {@code offset} or no {@code timestamp} column
     */
    @Override
    public ReadContext init(InitContext context) {
        MessageType file = context.getFileSchema();
        List<Type> fields = new ArrayList<>();
        for (String column : COLUMNS) {
            if (file.containsField(column)) {
                fields.add(file.getType(column));
            } else if (column.equals("offset") || column.equals("timestamp")) {
                throw new IllegalArgumentException("no column '" + column + "'");
            }
        }
        return new ReadContext(new MessageType(file.getName(), fields));
    }

    @Override
    public RecordMaterializer<Boolean> prepareForRead(ParquetConfiguration configuration, Map<String, String> keyValueMetaData,
                                                      MessageType fileSchema, ReadContext readContext) {
        return materializer(readContext);
    }

    /** The abstract Hadoop variant (Parquet calls the one above); the same. */
    @Override
    @SuppressWarnings("deprecation")
    public RecordMaterializer<Boolean> prepareForRead(Configuration configuration, Map<String, String> keyValueMetaData, MessageType fileSchema,
                                                      ReadContext readContext) {
        return materializer(readContext);
    }

    private RecordMaterializer<Boolean> materializer(ReadContext readContext) {
        RowConverter row = new RowConverter(readContext.getRequestedSchema());
        return new RecordMaterializer<>() {
            @Override
            public Boolean getCurrentRecord() {
                return Boolean.TRUE;
            }

            @Override
            public GroupConverter getRootConverter() {
                return row;
            }
        };
    }

    /** Bytes of one binary value, copied into an array reused from row to row; length -1 for null. */
    private static final class ReusedBytes extends OutputStream {
        private byte[] bytes = new byte[256];
        private int length = -1;

        void clear() {
            length = -1;
        }

        void set(Binary binary) {
            length = 0;
            int size = binary.length();
            if (size > bytes.length) {
                bytes = new byte[Math.max(size, bytes.length * 2)];
            }
            try {
                binary.writeTo(this);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("writing to memory cannot fail", e);
            }
        }

        @Override
        public void write(int b) {
            bytes[length++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int size) {
            if (length + size > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(length + size, bytes.length * 2));
            }
            System.arraycopy(source, offset, bytes, length, size);
            length += size;
        }

        byte[] copy() {
            return length < 0 ? null : Arrays.copyOf(bytes, length);
        }
    }

    private final class RowConverter extends GroupConverter {
        private final Converter[] fields;
        private final ReusedBytes key = new ReusedBytes();
        private final ReusedBytes value = new ReusedBytes();
        private final List<Header> headers = new ArrayList<>();
        private long offset;
        private long timestamp;

        RowConverter(GroupType schema) {
            fields = new Converter[schema.getFieldCount()];
            for (int index = 0; index < fields.length; index++) {
                Type field = schema.getType(index);
                fields[index] = switch (field.getName()) {
                    case "offset" -> new PrimitiveConverter() {
                        @Override
                        public void addLong(long read) {
                            offset = read;
                        }
                    };
                    case "timestamp" -> new PrimitiveConverter() {
                        @Override
                        public void addLong(long read) {
                            timestamp = read;
                        }
                    };
                    case "key" -> bytesInto(key);
                    case "value" -> bytesInto(value);
                    default -> headersOf(field);
                };
            }
        }

        private PrimitiveConverter bytesInto(ReusedBytes target) {
            return new PrimitiveConverter() {
                @Override
                public void addBinary(Binary read) {
                    target.set(read);
                }
            };
        }

        /** The converter of {@code headers} or of a group inside it: a header when it has key and value, else a passage. */
        private Converter headersOf(Type type) {
            if (type.isPrimitive()) {
                return new PrimitiveConverter() {
                };
            }
            GroupType group = type.asGroupType();
            if (group.containsField("key") && group.containsField("value")) {
                return new HeaderConverter(group);
            }
            Converter[] children = new Converter[group.getFieldCount()];
            for (int index = 0; index < children.length; index++) {
                children[index] = headersOf(group.getType(index));
            }
            return new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return children[fieldIndex];
                }

                @Override
                public void start() {
                }

                @Override
                public void end() {
                }
            };
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return fields[fieldIndex];
        }

        @Override
        public void start() {
            key.clear();
            value.clear();
            headers.clear();
        }

        @Override
        public void end() {
            records.add(partition, offset, timestamp, key.bytes, key.length, value.bytes, value.length, headers);
        }

        /** One header: its key and value, added to the row's headers in order when the group ends. */
        private final class HeaderConverter extends GroupConverter {
            private final Converter[] children;
            private final ReusedBytes headerKey = new ReusedBytes();
            private final ReusedBytes headerValue = new ReusedBytes();

            HeaderConverter(GroupType group) {
                children = new Converter[group.getFieldCount()];
                for (int index = 0; index < children.length; index++) {
                    String name = group.getType(index).getName();
                    children[index] = name.equals("key") ? bytesInto(headerKey) : name.equals("value") ? bytesInto(headerValue) : headersOf(group.getType(index));
                }
            }

            @Override
            public Converter getConverter(int fieldIndex) {
                return children[fieldIndex];
            }

            @Override
            public void start() {
                headerKey.clear();
                headerValue.clear();
            }

            @Override
            public void end() {
                headers.add(new RecordHeader(new String(headerKey.bytes, 0, Math.max(0, headerKey.length), StandardCharsets.UTF_8), headerValue.copy()));
            }
        }
    }
}
