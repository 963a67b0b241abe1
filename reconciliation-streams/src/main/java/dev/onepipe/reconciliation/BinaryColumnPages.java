package dev.onepipe.reconciliation;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * The values of one non-repeated {@code BYTE_ARRAY} column of a row group (the raw archive's {@code key} and
 * {@code value}), decoded page by page straight from the decompressed page bytes: each value is handed over as a
 * range of a page's (or the dictionary's) array, with no object per value, where Parquet's column reader makes a
 * {@code ByteBuffer} slice and a {@code Binary} per value.
 *
 * <p>Decodes what the Parquet format specification (Encodings.md) defines for such a column: data pages v1 and v2,
 * definition levels in the RLE/bit-packing hybrid ({@code RLE}), values {@code PLAIN} (4-byte little-endian length,
 * bytes) or dictionary-encoded ({@code PLAIN_DICTIONARY}, {@code RLE_DICTIONARY}: a bit width byte, then the hybrid
 * of indices into a {@code PLAIN} dictionary page). Any other encoding throws {@link Unsupported}, on which
 * {@link RawArchiveColumns} reads the file again with Parquet's column readers.
 *
 * <p>Not thread-safe; a value's array range is valid until the next {@link #next()}.
 */
final class BinaryColumnPages {

    /**
     * A column or page this class does not decode (another encoding or layout); values before it may have been handed
     * over already, so the caller reads the whole row group or file again another way.
     */
    static final class Unsupported extends IOException {
        Unsupported(String message) {
            super(message);
        }
    }

    private final PageReader pages;
    private final String column;
    private final int maxDefinition;
    private final int definitionWidth;
    private byte[] dictionary;
    private int[] dictionaryStarts;
    private int[] dictionaryLengths;
    private int valuesLeft;
    private RunLengthBitPackingHybridDecoder definitions;
    private RunLengthBitPackingHybridDecoder indices;
    private byte[] data;
    private int position;

    /** The current value's array; with {@link #start()} and {@link #length()}. */
    private byte[] array;
    private int start;
    private int length;

    /**
     * @throws Unsupported when the column is repeated or not {@code BYTE_ARRAY}, or its dictionary is not {@code PLAIN}
     */
    BinaryColumnPages(ColumnDescriptor descriptor, PageReader pages) throws IOException {
        this.pages = pages;
        this.column = String.join(".", descriptor.getPath());
        if (descriptor.getMaxRepetitionLevel() != 0 || descriptor.getPrimitiveType().getPrimitiveTypeName() != PrimitiveTypeName.BINARY) {
            throw new Unsupported("column " + column + " is not a non-repeated BYTE_ARRAY");
        }
        this.maxDefinition = descriptor.getMaxDefinitionLevel();
        this.definitionWidth = BytesUtils.getWidthFromMaxInt(maxDefinition);
        DictionaryPage page = pages.readDictionaryPage();
        if (page != null) {
            if (page.getEncoding() != Encoding.PLAIN && page.getEncoding() != Encoding.PLAIN_DICTIONARY) {
                throw new Unsupported("column " + column + ": dictionary encoding " + page.getEncoding());
            }
            dictionary = page.getBytes().toByteArray();
            int size = page.getDictionarySize();
            dictionaryStarts = new int[size];
            dictionaryLengths = new int[size];
            int at = 0;
            for (int index = 0; index < size; index++) {
                dictionaryLengths[index] = BytesUtils.readIntLittleEndian(dictionary, at);
                dictionaryStarts[index] = at + 4;
                at += 4 + dictionaryLengths[index];
            }
        }
    }

    /**
     * Moves to the next row's value.
     *
     * @throws Unsupported when a page has an encoding this class does not decode
     * @throws IOException when the column has fewer values than asked for or a page is malformed
     */
    void next() throws IOException {
        while (valuesLeft == 0) {
            readPage();
        }
        valuesLeft--;
        if (definitions != null && definitions.readInt() < maxDefinition) {
            array = null;
            length = -1;
            return;
        }
        if (indices != null) {
            int index = indices.readInt();
            array = dictionary;
            start = dictionaryStarts[index];
            length = dictionaryLengths[index];
        } else {
            length = BytesUtils.readIntLittleEndian(data, position);
            array = data;
            start = position + 4;
            position = start + length;
        }
    }

    /** The current value's bytes: {@code array()[start() .. start() + length())}; null when the value is null. */
    byte[] array() {
        return array;
    }

    int start() {
        return start;
    }

    /** The current value's length in bytes, -1 when it is null. */
    int length() {
        return length;
    }

    private void readPage() throws IOException {
        DataPage page = pages.readPage();
        if (page == null) {
            throw new IOException("column " + column + " has fewer values than its row group has rows");
        }
        valuesLeft = page.getValueCount();
        Encoding encoding;
        int at;
        if (page instanceof DataPageV1 v1) {
            data = v1.getBytes().toByteArray();
            at = 0;
            definitions = null;
            if (maxDefinition > 0) {
                if (v1.getDlEncoding() != Encoding.RLE) {
                    throw new Unsupported("column " + column + ": definition levels " + v1.getDlEncoding());
                }
                int levelsLength = BytesUtils.readIntLittleEndian(data, 0);
                definitions = new RunLengthBitPackingHybridDecoder(definitionWidth, new ByteArrayInputStream(data, 4, levelsLength));
                at = 4 + levelsLength;
            }
            encoding = v1.getValueEncoding();
        } else if (page instanceof DataPageV2 v2) {
            if (v2.isCompressed()) {
                throw new Unsupported("column " + column + ": a compressed v2 page");
            }
            definitions = maxDefinition > 0 ? new RunLengthBitPackingHybridDecoder(definitionWidth,
                    new ByteArrayInputStream(v2.getDefinitionLevels().toByteArray())) : null;
            data = v2.getData().toByteArray();
            at = 0;
            encoding = v2.getDataEncoding();
        } else {
            throw new Unsupported("column " + column + ": page " + page.getClass().getName());
        }
        if (encoding == Encoding.PLAIN) {
            indices = null;
            position = at;
        } else if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
            if (dictionary == null) {
                throw new IOException("column " + column + ": a dictionary-encoded page without a dictionary page");
            }
            int width = data[at] & 0xFF;
            indices = new RunLengthBitPackingHybridDecoder(width, new ByteArrayInputStream(data, at + 1, data.length - at - 1));
        } else {
            throw new Unsupported("column " + column + ": value encoding " + encoding);
        }
    }
}
