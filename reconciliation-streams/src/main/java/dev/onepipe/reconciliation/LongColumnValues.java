package dev.onepipe.reconciliation;

import java.io.IOException;

import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Every value of one non-repeated, never-null {@code INT64} column of a row group (the raw archive's {@code offset} and
 * {@code timestamp}) into one {@code long[]}, page by page with Parquet's own values readers, as its column reader
 * ({@code ColumnReaderBase}) sets them up: every encoding Parquet reads (PLAIN, dictionary, DELTA_BINARY_PACKED, ...),
 * data pages v1 and v2. Without the column reader's per-value work (levels, bindings, page checks), which was a fifth of
 * the archive read's CPU in the benchmark's profile (reconciliation-streams/README.md, "Benchmark").
 */
final class LongColumnValues {

    private LongColumnValues() {
    }

    /**
     * The column's values, row by row.
     *
     * @param rows the row group's rows
     * @throws IOException when the column is repeated or not {@code INT64}, a value is null, or the pages hold fewer
     *                     values than {@code rows}
     */
    static long[] read(ColumnDescriptor descriptor, PageReader pages, long rows) throws IOException {
        String column = String.join(".", descriptor.getPath());
        if (descriptor.getMaxRepetitionLevel() != 0 || descriptor.getPrimitiveType().getPrimitiveTypeName() != PrimitiveTypeName.INT64) {
            throw new IOException("column " + column + " is not a non-repeated INT64");
        }
        if (rows > Integer.MAX_VALUE - 8) {
            throw new IOException("column " + column + ": a row group of " + rows + " rows");
        }
        int maxDefinition = descriptor.getMaxDefinitionLevel();
        DictionaryPage dictionaryPage = pages.readDictionaryPage();
        Dictionary dictionary = dictionaryPage == null ? null : dictionaryPage.getEncoding().initDictionary(descriptor, dictionaryPage);
        long[] values = new long[(int) rows];
        int row = 0;
        while (row < rows) {
            DataPage page = pages.readPage();
            if (page == null) {
                throw new IOException("column " + column + " has " + row + " values, its row group " + rows + " rows");
            }
            int count = page.getValueCount();
            RunLengthBitPackingHybridDecoder definitions = null;
            ValuesReader definitionReader = null;
            Encoding encoding;
            ByteBufferInputStream data;
            if (page instanceof DataPageV1 v1) {
                data = v1.getBytes().toInputStream();
                // levels first (a non-repeated column's repetition levels take no bytes), then the values
                v1.getRlEncoding().getValuesReader(descriptor, ValuesType.REPETITION_LEVEL).initFromPage(count, data);
                definitionReader = v1.getDlEncoding().getValuesReader(descriptor, ValuesType.DEFINITION_LEVEL);
                definitionReader.initFromPage(count, data);
                encoding = v1.getValueEncoding();
            } else if (page instanceof DataPageV2 v2) {
                if (maxDefinition > 0) {
                    definitions = new RunLengthBitPackingHybridDecoder(BytesUtils.getWidthFromMaxInt(maxDefinition),
                            v2.getDefinitionLevels().toInputStream());
                }
                data = v2.getData().toInputStream();
                encoding = v2.getDataEncoding();
            } else {
                throw new IOException("column " + column + ": page " + page.getClass().getName());
            }
            boolean dictionaryEncoded = encoding.usesDictionary();
            ValuesReader reader;
            if (dictionaryEncoded) {
                if (dictionary == null) {
                    throw new IOException("column " + column + ": a dictionary-encoded page without a dictionary page");
                }
                reader = encoding.getDictionaryBasedValuesReader(descriptor, ValuesType.VALUES, dictionary);
            } else {
                reader = encoding.getValuesReader(descriptor, ValuesType.VALUES);
            }
            reader.initFromPage(count, data);
            for (int index = 0; index < count; index++, row++) {
                if (maxDefinition > 0) {
                    int level = definitions != null ? definitions.readInt() : definitionReader.readInteger();
                    if (level < maxDefinition) {
                        throw new IOException("column " + column + ": a null value in row " + row);
                    }
                }
                if (row >= rows) {
                    throw new IOException("column " + column + " has more values than its row group's " + rows + " rows");
                }
                values[row] = dictionaryEncoded ? dictionary.decodeToLong(reader.readValueDictionaryId()) : reader.readLong();
            }
        }
        return values;
    }
}
