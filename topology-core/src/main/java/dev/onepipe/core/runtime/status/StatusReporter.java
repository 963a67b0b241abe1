package dev.onepipe.core.runtime.status;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.health.TopologyHealth;
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
    private final Supplier<TopologyHealth> health;
    private final ScheduledExecutorService scheduler;
    private ApplicationMetrics previous;
    private long previousNanos;

    private StatusReporter(KafkaStreams streams, String applicationId, Supplier<TopologyHealth> health, PrintStream out) {
        this.streams = streams;
        this.applicationId = applicationId;
        this.health = health;
        this.out = out;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "onepipe-status");
            thread.setDaemon(true);
            return thread;
        });
        this.previous = ApplicationMetrics.from(streams.metrics(), applicationId);
        this.previousNanos = System.nanoTime();
    }

    /** Starts printing to {@code out} every {@code interval}, health told by the state alone. */
    public static StatusReporter start(KafkaStreams streams, String applicationId, Duration interval, PrintStream out) {
        return start(streams, applicationId, () -> TopologyHealth.ofState(streams.state()), interval, out);
    }

    /** Starts printing the status of {@code runner}, with its {@link TopologyRunner#health()}, to {@code out} every {@code interval}. */
    public static StatusReporter start(TopologyRunner runner, Duration interval, PrintStream out) {
        return start(runner.streams(), runner.applicationId(), runner::health, interval, out);
    }

    private static StatusReporter start(KafkaStreams streams, String applicationId, Supplier<TopologyHealth> health, Duration interval,
                                        PrintStream out) {
        StatusReporter reporter = new StatusReporter(streams, applicationId, health, out);
        reporter.scheduler.scheduleAtFixedRate(reporter::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return reporter;
    }

    private void report() {
        try {
            ApplicationMetrics current = ApplicationMetrics.from(streams.metrics(), applicationId);
            long now = System.nanoTime();
            out.println(StatusLine.between(applicationId, health.get(), previous, current, Duration.ofNanos(now - previousNanos)));
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
