package dev.onepipe.reconciliation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Raw archive objects as the tests tamper with them: every row of a downloaded object read with plain parquet-avro,
 * and rows written back as the archive writes them (parquet-avro, Snappy), so a test can alter, drop or repeat records.
 */
final class ArchiveObjectRows {

    private ArchiveObjectRows() {
    }

    /** Every row of a raw archive Parquet file, in file order. */
    static List<GenericRecord> read(Path file) throws IOException {
        List<GenericRecord> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
                .withDataModel(GenericData.get()).build()) {
            GenericRecord row;
            while ((row = reader.read()) != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Writes {@code rows} of {@code schema} to {@code file}, Snappy-compressed as the archive does. */
    static void write(Path file, Schema schema, List<GenericRecord> rows) throws IOException {
        try (ParquetWriter<GenericRecord> writer = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(schema).withDataModel(GenericData.get()).withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
            for (GenericRecord row : rows) {
                writer.write(row);
            }
        }
    }
}
