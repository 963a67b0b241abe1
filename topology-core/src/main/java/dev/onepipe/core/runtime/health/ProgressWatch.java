package dev.onepipe.core.runtime.health;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.status.ApplicationMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * onepipe's health and stop policy for a running topology, the same for every topology:
 * <ul>
 *   <li><b>Progress</b> is a commit: the {@code commit-total} of a stream thread ({@code stream-thread-metrics}) grows
 *       only when the thread committed at least one task (Kafka Streams' {@code StreamThread.maybeCommit}).</li>
 *   <li>A stream thread that fails is replaced. Failures <em>in a row</em> (each less than {@value #STALL_TIMEOUT_MS}
 *       after the one before) are counted, commits or not: a task that commits what it re-read and then fails again is
 *       as stuck as one that never commits. After {@value #MAX_THREAD_REPLACEMENTS} replacements in a row (default
 *       {@value #DEFAULT_MAX_THREAD_REPLACEMENTS}) the next failure stops the application (Kafka Streams'
 *       {@code SHUTDOWN_CLIENT}, state ERROR), and {@link #stopReason()} names the last error.</li>
 *   <li>A {@link PermanentFaultException} anywhere in a failure's cause chain stops the application at once, and so
 *       does a fault found outside the stream threads ({@link #stopFor}), such as a topic the topology needs deleted
 *       under it ({@link TopicDeletionWatch}).</li>
 *   <li>The application is <b>unhealthy</b> while its state is not RUNNING or REBALANCING; while a stream thread has
 *       failed since the last commit, or threads failed twice or more in a row; and while the consumers lag behind the
 *       input (lag &gt; 0) with no commit for {@value #STALL_TIMEOUT_MS} (default {@value #DEFAULT_STALL_TIMEOUT_MS} ms).
 *       Unhealthy alone never stops it: a slow sink may still catch up.</li>
 * </ul>
 * Thread-safe: stream threads report failures while the HTTP endpoint and the status line ask for the health.
 */
public final class ProgressWatch {

    public static final String MAX_THREAD_REPLACEMENTS = "onepipe.health.max.thread.replacements";
    public static final int DEFAULT_MAX_THREAD_REPLACEMENTS = 3;
    public static final String STALL_TIMEOUT_MS = "onepipe.health.stall.timeout.ms";
    public static final long DEFAULT_STALL_TIMEOUT_MS = 300_000;

    static final String THREAD_METRICS_GROUP = "stream-thread-metrics";
    static final String COMMIT_TOTAL = "commit-total";

    private final String applicationId;
    private final int maxThreadReplacements;
    private final long stallTimeoutNanos;
    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final LongSupplier nanoTime;
    private final Map<String, Double> commitsByThread = new HashMap<>();
    private long lastProgressNanos;
    private long lastFailureNanos;
    private int failuresSinceProgress;
    private int failuresInRow;
    private String lastError;
    private volatile String stopReason;

    /**
     * @param maxThreadReplacements stream-thread failures without a commit in between that are answered by a new
     *                              thread; the one after them stops the application
     * @param stallTimeoutMillis    how long lag may stay above zero without a commit before the application is unhealthy
     * @param nanoTime              the clock, {@code System::nanoTime} but in tests
     */
    public ProgressWatch(String applicationId, int maxThreadReplacements, long stallTimeoutMillis,
                         Supplier<Map<MetricName, ? extends Metric>> metrics, LongSupplier nanoTime) {
        if (maxThreadReplacements < 0 || stallTimeoutMillis <= 0) {
            throw new IllegalArgumentException(MAX_THREAD_REPLACEMENTS + " must be >= 0 and " + STALL_TIMEOUT_MS + " > 0, not "
                    + maxThreadReplacements + " and " + stallTimeoutMillis);
        }
        this.applicationId = applicationId;
        this.maxThreadReplacements = maxThreadReplacements;
        this.stallTimeoutNanos = stallTimeoutMillis * 1_000_000;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.lastProgressNanos = nanoTime.getAsLong();
    }

    /** The watch configured by {@value #MAX_THREAD_REPLACEMENTS} and {@value #STALL_TIMEOUT_MS} in {@code config}. */
    public static ProgressWatch configured(String applicationId, OnepipeConfig config, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        return new ProgressWatch(applicationId, config.getInt(MAX_THREAD_REPLACEMENTS, DEFAULT_MAX_THREAD_REPLACEMENTS),
                config.getLong(STALL_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS), metrics, System::nanoTime);
    }

    /**
     * Kafka Streams' uncaught exception handler: replaces the failed thread, or stops the application once
     * {@code maxThreadReplacements} replacements made no progress.
     */
    public synchronized StreamThreadExceptionResponse onThreadFailure(Throwable exception) {
        // the failed thread's metrics are still registered here: a commit it made counts
        sampleCommits();
        long now = nanoTime.getAsLong();
        forgetOldFailures(now);
        failuresSinceProgress++;
        failuresInRow++;
        lastFailureNanos = now;
        lastError = describe(exception);
        if (stopReason != null) {
            // already stopping for a fault found elsewhere (a deleted topic): keep that reason
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Optional<PermanentFaultException> permanent = permanentFaultIn(exception);
        if (permanent.isPresent()) {
            stopReason = applicationId + " stopped: a fault no new stream thread can heal: " + permanent.get().getMessage();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (failuresInRow > maxThreadReplacements) {
            stopReason = String.format("%s stopped: stream threads failed %d times in a row, each within %d ms of the one before (%s=%d)."
                    + " Last error: %s", applicationId, failuresInRow, stallTimeoutNanos / 1_000_000, MAX_THREAD_REPLACEMENTS,
                    maxThreadReplacements, lastError);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * Stops the application for a fault no new stream thread can heal that was found outside the stream threads
     * (e.g. {@link TopicDeletionWatch}'s deleted topic), unless it is already stopping: sets {@link #stopReason()}
     * to {@code "<application> stopped: a fault no new stream thread can heal: <fault>"}, and every later thread
     * failure is answered with {@code SHUTDOWN_CLIENT}. The caller stops Kafka Streams. Returns whether this call set
     * the reason.
     */
    public synchronized boolean stopFor(String fault) {
        if (stopReason != null) {
            return false;
        }
        stopReason = applicationId + " stopped: a fault no new stream thread can heal: " + fault;
        return true;
    }

    /** Whether the application is making progress in {@code state}; see the class comment for the rules. */
    public synchronized TopologyHealth health(KafkaStreams.State state) {
        sampleCommits();
        long now = nanoTime.getAsLong();
        forgetOldFailures(now);
        Optional<String> error = failuresSinceProgress > 0 || failuresInRow > 1 || stopReason != null
                ? Optional.ofNullable(lastError) : Optional.empty();
        if (stopReason != null) {
            return new TopologyHealth(state, false, Optional.of(stopReason), error, failuresSinceProgress);
        }
        if (!TopologyHealth.isActive(state)) {
            return new TopologyHealth(state, false, Optional.of("state is " + state), error, failuresSinceProgress);
        }
        if (failuresSinceProgress > 0) {
            return new TopologyHealth(state, false, Optional.of(String.format("stream threads failed %d time(s) since the last commit",
                    failuresSinceProgress)), error, failuresSinceProgress);
        }
        if (failuresInRow > 1) {
            return new TopologyHealth(state, false, Optional.of(String.format("stream threads failed %d times in a row", failuresInRow)),
                    error, 0);
        }
        OptionalLong lag = ApplicationMetrics.from(metrics.get(), applicationId).lag();
        long sinceProgressMillis = (now - lastProgressNanos) / 1_000_000;
        if (lag.isPresent() && lag.getAsLong() > 0 && now - lastProgressNanos >= stallTimeoutNanos) {
            return new TopologyHealth(state, false, Optional.of(String.format("no commit for %,d ms while lag is %,d records",
                    sinceProgressMillis, lag.getAsLong())), error, 0);
        }
        if (lag.isPresent() && lag.getAsLong() == 0) {
            // caught up: nothing to commit is not a stall
            lastProgressNanos = now;
        }
        return new TopologyHealth(state, true, Optional.empty(), Optional.empty(), 0);
    }

    /** A failure-free stall timeout ends a row of failures. */
    private void forgetOldFailures(long now) {
        if (failuresInRow > 0 && now - lastFailureNanos >= stallTimeoutNanos) {
            failuresInRow = 0;
            failuresSinceProgress = 0;
        }
    }

    private static Optional<PermanentFaultException> permanentFaultIn(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof PermanentFaultException permanent) {
                return Optional.of(permanent);
            }
        }
        return Optional.empty();
    }

    /** Why the policy stopped the application; empty while it has not. */
    public Optional<String> stopReason() {
        return Optional.ofNullable(stopReason);
    }

    private void sampleCommits() {
        boolean progress = false;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
            MetricName name = entry.getKey();
            if (!name.group().equals(THREAD_METRICS_GROUP) || !name.name().equals(COMMIT_TOTAL)) {
                continue;
            }
            Object value = entry.getValue().metricValue();
            if (!(value instanceof Number number)) {
                continue;
            }
            String thread = name.tags().getOrDefault("thread-id", "");
            double commits = number.doubleValue();
            Double previous = commitsByThread.put(thread, commits);
            if (commits > (previous == null ? 0 : previous)) {
                progress = true;
            }
        }
        if (progress) {
            lastProgressNanos = nanoTime.getAsLong();
            failuresSinceProgress = 0;
        }
    }

    /**
     * The failure in one line: each distinct message of its cause chain, outermost first, and for an authorization
     * failure the resource and the right that is missing.
     */
    public static String describe(Throwable exception) {
        Set<String> parts = new LinkedHashSet<>();
        String authorization = null;
        for (Throwable cause = exception; cause != null && parts.size() < 8; cause = cause.getCause() == cause ? null : cause.getCause()) {
            parts.add(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            if (authorization == null) {
                authorization = missingRight(cause);
            }
        }
        String chain = String.join(" <- ", parts);
        return authorization == null ? chain : authorization + " (" + chain + ")";
    }

    private static String missingRight(Throwable cause) {
        if (cause instanceof TopicAuthorizationException topics) {
            String right = fromProducer(cause) ? "WRITE" : "READ";
            return "not authorized: the principal lacks " + right + " (and DESCRIBE) on topic(s) "
                    + (topics.unauthorizedTopics().isEmpty() ? "named by the broker" : String.join(", ", topics.unauthorizedTopics()));
        }
        if (cause instanceof GroupAuthorizationException group) {
            return "not authorized: the principal lacks READ on consumer group " + (group.groupId() == null ? "(unnamed)" : group.groupId());
        }
        if (cause instanceof TransactionalIdAuthorizationException) {
            return "not authorized: the principal lacks WRITE on the application's transactional ids";
        }
        return null;
    }

    private static boolean fromProducer(Throwable cause) {
        for (StackTraceElement frame : cause.getStackTrace()) {
            if (frame.getClassName().startsWith("org.apache.kafka.clients.producer")) {
                return true;
            }
        }
        return false;
    }
}
