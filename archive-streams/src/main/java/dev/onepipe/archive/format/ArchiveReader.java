package dev.onepipe.archive.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;

import dev.onepipe.archive.format.ArchiveLayout.ChunkObject;
import org.apache.parquet.io.LocalInputFile;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads an archive back: lists a topic's chunks and merges the chunks of a partition into one stream of
 * records in offset order (chunks of different hours interleave in offsets, so a partition is read as a
 * k-way merge, with only the chunks that overlap the current offset open at a time).
 */
public final class ArchiveReader implements Closeable {

    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;
    private final Path downloads;

    public ArchiveReader(S3Client s3, String bucket, ArchiveLayout layout) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
        try {
            this.downloads = Files.createTempDirectory("onepipe-archive-read-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder for archive downloads", e);
        }
    }

    /** Every chunk of {@code topic}, by partition and start offset. */
    public List<ChunkObject> list(String topic) {
        List<ChunkObject> objects = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(layout.topicPrefix(topic))).contents()) {
            layout.parse(object.key()).filter(chunk -> chunk.topic().equals(topic)).ifPresent(objects::add);
        }
        objects.sort(Comparator.comparingInt(ChunkObject::partition).thenComparingLong(ChunkObject::startOffset));
        return objects;
    }

    /**
     * The records of {@code objects} (chunks of one partition) in offset order.
     *
     * @param offsetsOnly read only the offset columns (for verification), not keys, values and headers
     * @param onOpen      told each object's S3 user metadata as the merge opens it
     */
    public PartitionRecords records(List<ChunkObject> objects, boolean offsetsOnly, BiConsumer<ChunkObject, Map<String, String>> onOpen) {
        return new PartitionRecords(objects, offsetsOnly, onOpen);
    }

    /** A partition's archived records in offset order; close it to release open chunks. */
    public final class PartitionRecords implements Iterator<ArchivedRecord>, Closeable {

        private final List<ChunkObject> objects;
        private final boolean offsetsOnly;
        private final BiConsumer<ChunkObject, Map<String, String>> onOpen;
        private final PriorityQueue<OpenFile> open = new PriorityQueue<>(Comparator.comparingLong((OpenFile file) -> file.head.offset()));
        private int nextObject;

        private PartitionRecords(List<ChunkObject> objects, boolean offsetsOnly, BiConsumer<ChunkObject, Map<String, String>> onOpen) {
            this.objects = objects.stream().sorted(Comparator.comparingLong(ChunkObject::startOffset)).toList();
            this.offsetsOnly = offsetsOnly;
            this.onOpen = onOpen;
        }

        @Override
        public boolean hasNext() {
            openChunksStartingBeforeNextRecord();
            return !open.isEmpty();
        }

        @Override
        public ArchivedRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            OpenFile file = open.poll();
            ArchivedRecord record = file.head;
            if (file.advance()) {
                open.add(file);
            }
            return record;
        }

        /** A chunk's first record is its start offset, so a chunk need not be open before the merge reaches it. */
        private void openChunksStartingBeforeNextRecord() {
            while (nextObject < objects.size() && (open.isEmpty() || objects.get(nextObject).startOffset() <= open.peek().head.offset())) {
                OpenFile file = new OpenFile(objects.get(nextObject++), offsetsOnly);
                onOpen.accept(file.object, file.metadata);
                if (file.advance()) {
                    open.add(file);
                }
            }
        }

        @Override
        public void close() {
            open.forEach(OpenFile::close);
            open.clear();
        }
    }

    /** One downloaded chunk being read. */
    private final class OpenFile {

        private final ChunkObject object;
        private final Path file;
        private final Map<String, String> metadata;
        private final ParquetChunkFormat.RecordIterator records;
        private ArchivedRecord head;

        private OpenFile(ChunkObject object, boolean offsetsOnly) {
            this.object = object;
            try {
                this.file = Files.createTempFile(downloads, "chunk-", ".parquet");
                Files.delete(file);
                GetObjectResponse response = s3.getObject(request -> request.bucket(bucket).key(object.key()), file);
                this.metadata = response.metadata();
                LocalInputFile input = new LocalInputFile(file);
                this.records = offsetsOnly ? ParquetChunkFormat.readOffsets(input) : ParquetChunkFormat.read(input);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read chunk " + object.key(), e);
            }
        }

        /** Moves to the next record; false, and closed, at the end. */
        private boolean advance() {
            if (records.hasNext()) {
                head = records.next();
                return true;
            }
            close();
            return false;
        }

        private void close() {
            try {
                records.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot close chunk " + object.key(), e);
            }
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(downloads);
        } catch (IOException e) {
            // A leftover empty temporary folder is harmless.
        }
    }
}
