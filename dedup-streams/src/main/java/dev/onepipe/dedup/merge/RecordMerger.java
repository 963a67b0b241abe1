package dev.onepipe.dedup.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MergeStrategy;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Merges the versions of one unique key with a dataset's {@link MergeStrategy}, one incoming version at a time into
 * the key's merged state. Pure logic on Avro records: no clock, no I/O. None of the strategies looks at a wall clock or
 * a record timestamp (Twilio's Copydog talk: clocks of different producers cannot be trusted to order versions).
 *
 * <ul>
 *   <li>{@code LATEST_BY_FIELD f}: the version with the greatest {@code f} wins. Ties on {@code f} are broken by the
 *       dataset's ordering fields in turn, then by the Avro binary encoding ({@link VersionOrder}), so the merged
 *       state is the greatest version in one total order, whatever the arrival order.</li>
 *   <li>{@code FIRST_SEEN}: the first version in log order wins; later ones change nothing.</li>
 *   <li>{@code LAST_SEEN}: the latest version in log order (of the key's partition) wins.</li>
 *   <li>{@code FIELD_MERGE}: of the two versions, the one that sorts later (ordering fields, then binary encoding;
 *       log order when the dataset has no ordering fields) wins every field where it is non-null; its null fields
 *       take the other version's value. The merged state carries the later version's ordering fields. Applied pairwise
 *       as versions arrive, so a version arriving after a later one only fills that state's nulls: with versions
 *       arriving in ordering order, each field ends as the value of the latest version where it is non-null.</li>
 *   <li>{@code VECTOR_CLOCK f}: {@code f} is a map writer → counter. A version whose clock dominates the state's
 *       replaces it; a dominated one changes nothing. When the clocks are concurrent (or equal with different
 *       contents) the greater version in {@link VersionOrder} of the ordering fields wins and the merge is reported
 *       as a {@linkplain MergeResult#conflict() conflict}; a null clock is the empty clock.</li>
 * </ul>
 * An exact re-send of a version already merged never changes the state, under every strategy.
 */
public final class RecordMerger {

    private final MergeStrategy strategy;
    private final List<String> ordering;
    private final VersionOrder byOrdering;
    private final VersionOrder byMergeField;

    private RecordMerger(MergeStrategy strategy, List<String> ordering) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.ordering = List.copyOf(ordering);
        this.byOrdering = new VersionOrder(ordering);
        List<String> mergeFieldFirst = new ArrayList<>();
        strategy.field().ifPresent(mergeFieldFirst::add);
        ordering.stream().filter(field -> !mergeFieldFirst.contains(field)).forEach(mergeFieldFirst::add);
        this.byMergeField = new VersionOrder(mergeFieldFirst);
    }

    /** The merger of {@code dataset}: its merge strategy and ordering fields. */
    public static RecordMerger forDataset(DatasetMetadata dataset) {
        return of(dataset.merge(), dataset.ordering());
    }

    /** A merger for {@code strategy} with {@code ordering} as the tie-break fields. */
    public static RecordMerger of(MergeStrategy strategy, List<String> ordering) {
        return new RecordMerger(strategy, ordering);
    }

    public MergeStrategy strategy() {
        return strategy;
    }

    /**
     * Merges {@code incoming} into {@code current}, the key's merged state so far (null when the key has none).
     *
     * @return the merged state, whether it changed, and whether vector clocks were concurrent
     * @throws IllegalArgumentException when a {@code VECTOR_CLOCK} field holds something other than a map
     */
    public MergeResult merge(GenericRecord current, GenericRecord incoming) {
        Objects.requireNonNull(incoming, "incoming");
        if (current == null) {
            return MergeResult.changedTo(incoming);
        }
        return switch (strategy.kind()) {
            case LATEST_BY_FIELD -> byMergeField.compare(incoming, current) > 0 ? MergeResult.changedTo(incoming) : MergeResult.unchanged(current);
            case FIRST_SEEN -> MergeResult.unchanged(current);
            case LAST_SEEN -> byOrdering.sameEncoding(current, incoming) ? MergeResult.unchanged(current) : MergeResult.changedTo(incoming);
            case FIELD_MERGE -> fieldMerge(current, incoming);
            case VECTOR_CLOCK -> vectorClock(current, incoming);
        };
    }

    private MergeResult fieldMerge(GenericRecord current, GenericRecord incoming) {
        boolean incomingLater = ordering.isEmpty() || byOrdering.compare(incoming, current) > 0;
        GenericRecord later = incomingLater ? incoming : current;
        GenericRecord earlier = incomingLater ? current : incoming;
        Schema schema = later.getSchema();
        GenericData.Record merged = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            Object value = later.get(field.pos());
            if (value == null && earlier.getSchema().getField(field.name()) != null) {
                value = earlier.get(field.name());
            }
            merged.put(field.pos(), value);
        }
        return byOrdering.sameEncoding(current, merged) ? MergeResult.unchanged(current) : MergeResult.changedTo(merged);
    }

    private MergeResult vectorClock(GenericRecord current, GenericRecord incoming) {
        String field = strategy.field().orElseThrow();
        VectorClock.Relation relation = VectorClock.of(incoming.get(field)).compareTo(VectorClock.of(current.get(field)));
        switch (relation) {
            case DOMINATES:
                return MergeResult.changedTo(incoming);
            case DOMINATED:
                return MergeResult.unchanged(current);
            case EQUAL:
                if (byOrdering.sameEncoding(current, incoming)) {
                    return MergeResult.unchanged(current);
                }
                break;
            default:
                break;
        }
        boolean incomingWins = byOrdering.compare(incoming, current) > 0;
        return new MergeResult(incomingWins ? incoming : current, incomingWins, true);
    }
}
