package dev.onepipe.core.deadletter;

/**
 * The headers onepipe adds to every dead-letter record, after the failed record's own headers (kept unchanged so a
 * replay carries them). Every value is UTF-8 text.
 *
 * <table>
 *   <caption>Dead-letter headers</caption>
 *   <tr><td>{@value #REASON}</td><td>reason code: a {@code WireFormatException.Reason} such as {@code TRUNCATED}, the
 *       code given to a {@link DeadLetterException}, or {@code DESERIALIZATION_FAILED}, {@code SERIALIZATION_FAILED},
 *       {@code PRODUCTION_FAILED}</td></tr>
 *   <tr><td>{@value #MESSAGE}</td><td>the error message</td></tr>
 *   <tr><td>{@value #EXCEPTION}</td><td>the exception's class name</td></tr>
 *   <tr><td>{@value #STAGE}</td><td>where it failed: a {@link DeadLetterStage} name</td></tr>
 *   <tr><td>{@value #SOURCE_TOPIC}, {@value #SOURCE_PARTITION}, {@value #SOURCE_OFFSET}</td><td>the record the
 *       application was processing when it failed</td></tr>
 *   <tr><td>{@value #TARGET_TOPIC}</td><td>the topic the record was being written to (serialization and production
 *       failures only)</td></tr>
 *   <tr><td>{@value #PAYLOAD}</td><td>what the key and value bytes are: a {@link DeadLetterPayload} name</td></tr>
 *   <tr><td>{@value #SCHEMA_ID}, {@value #FIELD}</td><td>the schema id and the offending field, when known</td></tr>
 *   <tr><td>{@value #APPLICATION_ID}, {@value #PROCESSOR}</td><td>the application and the processor node</td></tr>
 *   <tr><td>{@value #TIME}</td><td>when the record was dead-lettered, ISO-8601 UTC</td></tr>
 * </table>
 */
public final class DeadLetterHeaders {

    public static final String PREFIX = "onepipe.dlq.";
    public static final String REASON = PREFIX + "reason";
    public static final String MESSAGE = PREFIX + "message";
    public static final String EXCEPTION = PREFIX + "exception";
    public static final String STAGE = PREFIX + "stage";
    public static final String SOURCE_TOPIC = PREFIX + "source.topic";
    public static final String SOURCE_PARTITION = PREFIX + "source.partition";
    public static final String SOURCE_OFFSET = PREFIX + "source.offset";
    public static final String TARGET_TOPIC = PREFIX + "target.topic";
    public static final String PAYLOAD = PREFIX + "payload";
    public static final String SCHEMA_ID = PREFIX + "schema.id";
    public static final String FIELD = PREFIX + "field";
    public static final String APPLICATION_ID = PREFIX + "application.id";
    public static final String PROCESSOR = PREFIX + "processor";
    public static final String TIME = PREFIX + "time";

    private DeadLetterHeaders() {
    }
}
