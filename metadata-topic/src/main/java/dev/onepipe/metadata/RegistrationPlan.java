package dev.onepipe.metadata;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of planning registrations against a catalog state: a result per request, and the entries to write to
 * the metadata topic, in order, for the accepted ones. Writing {@link #records()} to the topic (or applying
 * {@link #entries()} to a catalog) makes the registrations happen.
 */
public final class RegistrationPlan {

    private final List<RegistrationResult> results;
    private final List<MetadataEntry> entries;

    RegistrationPlan(final List<RegistrationResult> results, final List<MetadataEntry> entries) {
        this.results = List.copyOf(results);
        this.entries = List.copyOf(entries);
    }

    public List<RegistrationResult> results() {
        return results;
    }

    /** The result of the only request, for plans of one request. */
    public RegistrationResult result() {
        if (results.size() != 1) {
            throw new IllegalStateException("This plan has " + results.size() + " results");
        }
        return results.get(0);
    }

    public boolean allAccepted() {
        return results.stream().allMatch(RegistrationResult::accepted);
    }

    public List<MetadataEntry> entries() {
        return entries;
    }

    /** The entries encoded as metadata topic records (canonical key bytes, Avro values). */
    public List<MetadataRecord> records() {
        final List<MetadataRecord> records = new ArrayList<>(entries.size());
        for (final MetadataEntry entry : entries) {
            records.add(MetadataEntryCodec.encode(entry));
        }
        return records;
    }
}
