package dev.onepipe.dedup.table;

/** The clean table could not be read or written; the message names the table and the cause. */
public class CleanTableException extends RuntimeException {

    public CleanTableException(String message, Throwable cause) {
        super(message, cause);
    }

    public CleanTableException(String message) {
        super(message);
    }
}
