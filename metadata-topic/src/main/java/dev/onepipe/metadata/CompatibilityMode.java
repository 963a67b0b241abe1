package dev.onepipe.metadata;

/**
 * How a new schema version must relate to the versions already registered for the same subject.
 *
 * <p>BACKWARD: the new schema can read data written with the previous version (upgrade consumers first).
 * FORWARD: the previous version can read data written with the new schema (upgrade producers first).
 * FULL: both. The transitive variants check against every active version instead of only the latest one.
 */
public enum CompatibilityMode {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    public static final CompatibilityMode DEFAULT = BACKWARD;

    private final boolean newSchemaReadsOldData;
    private final boolean oldSchemaReadsNewData;
    private final boolean transitive;

    CompatibilityMode(boolean newSchemaReadsOldData, boolean oldSchemaReadsNewData, boolean transitive) {
        this.newSchemaReadsOldData = newSchemaReadsOldData;
        this.oldSchemaReadsNewData = oldSchemaReadsNewData;
        this.transitive = transitive;
    }

    /** Whether the candidate schema, as reader, must be able to read data written with existing versions. */
    public boolean newSchemaReadsOldData() {
        return newSchemaReadsOldData;
    }

    /** Whether existing versions, as readers, must be able to read data written with the candidate schema. */
    public boolean oldSchemaReadsNewData() {
        return oldSchemaReadsNewData;
    }

    /** Whether the check runs against every active version rather than only the latest one. */
    public boolean transitive() {
        return transitive;
    }
}
