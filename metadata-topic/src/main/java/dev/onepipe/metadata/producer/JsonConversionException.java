package dev.onepipe.metadata.producer;

/** JSON that does not fit the schema; names the offending field path (e.g. {@code lines[2].price}). */
public final class JsonConversionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String fieldPath;
    private final String detail;

    JsonConversionException(String fieldPath, String detail) {
        super(fieldPath == null || fieldPath.isEmpty() ? detail : "field '" + fieldPath + "': " + detail);
        this.fieldPath = fieldPath == null || fieldPath.isEmpty() ? "(record)" : fieldPath;
        this.detail = detail;
    }

    /** The offending field path; {@code (record)} when the document itself is wrong. */
    public String fieldPath() {
        return fieldPath;
    }

    /** What is wrong, without the field path. */
    public String detail() {
        return detail;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // raised while trying union branches; the message carries everything a caller needs
        return this;
    }
}
