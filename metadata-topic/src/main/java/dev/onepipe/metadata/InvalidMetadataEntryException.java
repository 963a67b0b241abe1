package dev.onepipe.metadata;

/** A metadata topic record whose key is not canonical or whose value cannot be decoded. */
public final class InvalidMetadataEntryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidMetadataEntryException(String message) {
        super(message);
    }

    public InvalidMetadataEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
