package dev.onepipe.core.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record read from a dead-letter topic: the bytes that failed, their timestamp, and what {@link DeadLetterHeaders}
 * say about the failure. For tests, and for tools that inspect or replay dead letters.
 */
public final class DeadLetter {

    private final byte[] key;
    private final byte[] value;
    private final long timestamp;
    private final Headers headers;

    private DeadLetter(byte[] key, byte[] value, long timestamp, Headers headers) {
        this.key = key;
        this.value = value;
        this.timestamp = timestamp;
        this.headers = headers;
    }

    public static DeadLetter from(ConsumerRecord<byte[], byte[]> record) {
        return from(record.key(), record.value(), record.timestamp(), record.headers());
    }

    public static DeadLetter from(byte[] key, byte[] value, long timestamp, Headers headers) {
        return new DeadLetter(key, value, timestamp, new RecordHeaders(headers.toArray()));
    }

    /** The key bytes: see {@link #payload()} for what they are. */
    public byte[] key() {
        return key == null ? null : key.clone();
    }

    /** The value bytes: see {@link #payload()} for what they are. */
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    /** The failed record's own timestamp. */
    public long timestamp() {
        return timestamp;
    }

    /** Every header: the failed record's own, then onepipe's. */
    public Headers headers() {
        return new RecordHeaders(headers.toArray());
    }

    /** The failed record's own headers, without onepipe's: what a replay should send. */
    public Headers originalHeaders() {
        Header[] original = Arrays.stream(headers.toArray())
                .filter(header -> !header.key().startsWith(DeadLetterHeaders.PREFIX))
                .toArray(Header[]::new);
        return new RecordHeaders(original);
    }

    /** The last value of a header, as text. */
    public Optional<String> header(String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    public String reason() {
        return required(DeadLetterHeaders.REASON);
    }

    public String message() {
        return header(DeadLetterHeaders.MESSAGE).orElse("");
    }

    public String exception() {
        return header(DeadLetterHeaders.EXCEPTION).orElse("");
    }

    public DeadLetterStage stage() {
        return DeadLetterStage.valueOf(required(DeadLetterHeaders.STAGE));
    }

    public DeadLetterPayload payload() {
        return DeadLetterPayload.valueOf(required(DeadLetterHeaders.PAYLOAD));
    }

    public Optional<String> sourceTopic() {
        return header(DeadLetterHeaders.SOURCE_TOPIC);
    }

    public OptionalInt sourcePartition() {
        return header(DeadLetterHeaders.SOURCE_PARTITION).map(text -> OptionalInt.of(Integer.parseInt(text))).orElse(OptionalInt.empty());
    }

    public OptionalLong sourceOffset() {
        return header(DeadLetterHeaders.SOURCE_OFFSET).map(text -> OptionalLong.of(Long.parseLong(text))).orElse(OptionalLong.empty());
    }

    public Optional<String> targetTopic() {
        return header(DeadLetterHeaders.TARGET_TOPIC);
    }

    /** When the record was dead-lettered. */
    public Instant time() {
        return Instant.parse(required(DeadLetterHeaders.TIME));
    }

    private String required(String name) {
        return header(name).orElseThrow(() -> new IllegalStateException("Not a onepipe dead-letter record: header " + name + " is missing"));
    }

    @Override
    public String toString() {
        return "DeadLetter{reason=" + header(DeadLetterHeaders.REASON).orElse("?") + ", source=" + sourceTopic().orElse("?") + "-"
                + header(DeadLetterHeaders.SOURCE_PARTITION).orElse("?") + "@" + header(DeadLetterHeaders.SOURCE_OFFSET).orElse("?")
                + ", message=" + message() + "}";
    }
}
