package dev.onepipe.core.runtime.status;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Prints a {@link StatusLine} for a running application every interval, from its Kafka Streams metrics. */
public final class StatusReporter implements AutoCloseable {

    public static final String INTERVAL_SECONDS = "onepipe.status.interval.seconds";
    public static final long DEFAULT_INTERVAL_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);

    private final KafkaStreams streams;
    private final String applicationId;
    private final PrintStream out;
    private final ScheduledExecutorService scheduler;
    private ApplicationMetrics previous;
    private long previousNanos;

    private StatusReporter(KafkaStreams streams, String applicationId, PrintStream out) {
        this.streams = streams;
        this.applicationId = applicationId;
        this.out = out;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "onepipe-status");
            thread.setDaemon(true);
            return thread;
        });
        this.previous = ApplicationMetrics.from(streams.metrics(), applicationId);
        this.previousNanos = System.nanoTime();
    }

    /** Starts printing to {@code out} every {@code interval}. */
    public static StatusReporter start(KafkaStreams streams, String applicationId, Duration interval, PrintStream out) {
        StatusReporter reporter = new StatusReporter(streams, applicationId, out);
        reporter.scheduler.scheduleAtFixedRate(reporter::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return reporter;
    }

    private void report() {
        try {
            ApplicationMetrics current = ApplicationMetrics.from(streams.metrics(), applicationId);
            long now = System.nanoTime();
            out.println(StatusLine.between(applicationId, streams.state(), previous, current, Duration.ofNanos(now - previousNanos)));
            out.flush();
            previous = current;
            previousNanos = now;
        } catch (RuntimeException e) {
            // A status line is never worth stopping the schedule for.
            LOG.debug("Could not report status", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
