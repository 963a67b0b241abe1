package dev.onepipe.metadata;

import java.util.List;

/** Dataset metadata that cannot be accepted; carries every problem found, each naming the offending attribute. */
public final class InvalidDatasetMetadataException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidDatasetMetadataException(List<String> problems) {
        super("Invalid dataset metadata: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
