package dev.onepipe.campaign;

/**
 * The three ad event streams of the Yelp example, in the order the talk draws them. Each has a short label used
 * in processor, store and metric names, so the names stay the same whatever its dataset is called.
 */
public enum AdStream {

    SERVED("served"),
    VIEWS("views"),
    CLICKS("clicks");

    private final String label;

    AdStream(String label) {
        this.label = label;
    }

    /** {@code served}, {@code views} or {@code clicks}. */
    public String label() {
        return label;
    }
}
