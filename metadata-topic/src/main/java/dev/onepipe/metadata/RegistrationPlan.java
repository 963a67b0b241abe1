package dev.onepipe.metadata;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of planning registrations against a catalog state: a result per request, and the entries to write to
 * the metadata topic, in order, for the accepted ones. Writing {@link #records()} to the topic (or applying
 * {@link #entries()} to a catalog) makes the registrations happen.
 */
public record RegistrationPlan(List<RegistrationResult> results, List<MetadataEntry> entries) {

    public RegistrationPlan {
        results = List.copyOf(results);
        entries = List.copyOf(entries);
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

    /** The entries encoded as metadata topic records (canonical key bytes, Avro values). */
    public List<MetadataRecord> records() {
        List<MetadataRecord> records = new ArrayList<>(entries.size());
        for (MetadataEntry entry : entries) {
            records.add(MetadataEntryCodec.encode(entry));
        }
        return records;
    }
}
