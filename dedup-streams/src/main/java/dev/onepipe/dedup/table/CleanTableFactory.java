package dev.onepipe.dedup.table;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.metadata.DatasetMetadata;
import org.apache.avro.Schema;

/** Opens a dataset's clean table for the dedup topology (one committer per stream task or per process). */
@FunctionalInterface
public interface CleanTableFactory {

    /**
     * Opens (creating when missing) the clean table of {@code dataset}, whose rows have {@code rowSchema}.
     *
     * @throws CleanTableException when the catalog or S3 cannot be reached or refuses
     */
    CleanTableCommitter open(TopologyContext context, DatasetMetadata dataset, Schema rowSchema);
}
