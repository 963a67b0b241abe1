package dev.onepipe.dedup.topology;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.dedup.table.CleanRow;
import dev.onepipe.dedup.table.CleanTableCommitter;
import dev.onepipe.dedup.table.CleanTableFactory;
import dev.onepipe.metadata.DatasetMetadata;
import org.apache.avro.Schema;

/** An in-memory clean table that records what the topology commits to it (not Kafka, not S3: a plain list). */
final class RecordingCleanTable implements CleanTableFactory {

    /** One call of {@link CleanTableCommitter#commit}. */
    record Commit(int partition, long nextOffset, List<CleanRow> rows) {
    }

    final List<Commit> commits = new ArrayList<>();
    final List<String> opened = new ArrayList<>();

    @Override
    public CleanTableCommitter open(TopologyContext context, DatasetMetadata dataset, Schema rowSchema) {
        opened.add(dataset.name() + " " + rowSchema.getFullName());
        return new CleanTableCommitter() {
            @Override
            public void commit(int inputPartition, long nextOffset, Collection<CleanRow> rows) {
                commits.add(new Commit(inputPartition, nextOffset, List.copyOf(rows)));
            }

            @Override
            public long committedOffset(int inputPartition) {
                return commits.stream().filter(commit -> commit.partition() == inputPartition).mapToLong(Commit::nextOffset).max().orElse(-1);
            }

            @Override
            public void close() {
            }
        };
    }
}
