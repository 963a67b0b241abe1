package dev.onepipe.metadata.producer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer {@link Callback} that counts the records the broker did not acknowledge and keeps the first error, for a
 * writer that sends many records and checks once after {@code flush()} ({@code flush()} itself never throws for a
 * failed send, so a writer that ignores its sends' results loses records silently).
 *
 * <p>Thread-safe: the producer's I/O thread calls it.
 */
public final class SendFailures implements Callback {

    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> first = new AtomicReference<>();

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception != null) {
            failed.incrementAndGet();
            first.compareAndSet(null, exception);
        }
    }

    /** Records whose send failed so far. */
    public long count() {
        return failed.get();
    }

    /**
     * Call after {@code flush()}: throws when any send failed.
     *
     * @param what the records, for the message, e.g. {@code "of topic bench-archive"}
     * @throws IllegalStateException naming how many records were not written and the first error
     */
    public void throwIfAny(String what) {
        long count = failed.get();
        if (count > 0) {
            Exception error = first.get();
            throw new IllegalStateException(count + " records " + what + " were not written; first error: " + error, error);
        }
    }
}
