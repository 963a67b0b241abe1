package dev.onepipe.dedup.table;

import java.time.LocalDate;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * One unique key's merged state, as the clean table must hold it once a commit is done. Handed by the dedup topology
 * to a {@link CleanTableCommitter}.
 *
 * @param uniqueKey the unique key as text, exactly the Kafka key of the clean topic ({@code UniqueKeyEncoder}'s form)
 * @param row the merged record, in the dataset's latest registered schema
 * @param eventDay the UTC day of the row's event-time field (of the record timestamp when the dataset declares no
 *     event-time field): the day partition that holds the row
 * @param previousDays the days under which an earlier merged state of this key may have been committed and which must
 *     no longer hold it (empty when the key's day never changed)
 * @param stateKnown false when the dedup store held no state for the key (a new key, or one forgotten after the
 *     horizon) when the commit's batch began: the table then merges the row with any row it already holds for the key,
 *     whatever its day. True promises that the table holds the key, if at all, only under {@code eventDay} or
 *     {@code previousDays}.
 *
 * <p>A commit should carry at most one row per key; when it carries several, the last one wins, their previous days
 * are all cleared, and the key is of unknown state if any of them is.
 */
public record CleanRow(String uniqueKey, GenericRecord row, LocalDate eventDay, Set<LocalDate> previousDays,
                       boolean stateKnown) {
}
