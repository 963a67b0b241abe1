package dev.onepipe.dedup.table;

import java.util.Collection;

/**
 * Writes merged rows to one dataset's clean table. The Iceberg clean table implements it; the dedup topology calls it
 * from its stream thread, once per input partition per commit cadence.
 */
public interface CleanTableCommitter extends AutoCloseable {

    /**
     * Makes the table hold {@code rows} (an upsert by unique key; each day partition touched is rewritten copy-on-write)
     * in one atomic commit whose snapshot records {@code nextOffset} for {@code inputPartition}: the offset after the
     * last input record the rows cover. Idempotent: when the table's current snapshot already records an offset at or
     * above {@code nextOffset} for that partition, nothing is written. Safe to call concurrently from several processes
     * (optimistic commits, retried against the new snapshot).
     *
     * @throws CleanTableException when the table cannot be written (S3 or catalog refused, retries exhausted)
     */
    void commit(int inputPartition, long nextOffset, Collection<CleanRow> rows);

    /** The next input offset the table's current snapshot records for {@code inputPartition}, or -1 when none. */
    long committedOffset(int inputPartition);

    @Override
    void close();
}
