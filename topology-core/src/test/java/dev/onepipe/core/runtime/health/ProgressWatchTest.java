package dev.onepipe.core.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The health and stop policy on hand-set metrics and a hand-moved clock. */
class ProgressWatchTest {

    private static final String APPLICATION = "onepipe-archive-t";
    private static final String THREAD = APPLICATION + "-2f1c-StreamThread-1";

    private final Metrics metrics = new Metrics();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private volatile double commits;
    private volatile double lag = 5;

    ProgressWatchTest() {
        metrics.addMetric(metrics.metricName("commit-total", "stream-thread-metrics", "", Map.of("thread-id", THREAD)), (config, now) -> commits);
        metrics.addMetric(metrics.metricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", THREAD + "-consumer", "topic", "t", "partition", "0")), (config, now) -> lag);
    }

    @AfterEach
    void close() {
        metrics.close();
    }

    private ProgressWatch watch(int maxReplacements) {
        return new ProgressWatch(APPLICATION, maxReplacements, 60_000, metrics::metrics, nanos::get);
    }

    private void advanceMillis(long millis) {
        nanos.addAndGet(millis * 1_000_000);
    }

    @Test
    void replacesUpToTheBoundThenStopsNamingTheLastError() {
        ProgressWatch watch = watch(2);
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, watch.onThreadFailure(new IllegalStateException("first")));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, watch.onThreadFailure(new IllegalStateException("second")));
        assertTrue(watch.stopReason().isEmpty());

        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                watch.onThreadFailure(new StreamsException("task 0_0 failed", new IllegalStateException("third"))));

        assertEquals("onepipe-archive-t stopped: stream threads failed 3 times in a row, each within 60000 ms of the one before "
                + "(onepipe.health.max.thread.replacements=2). Last error: StreamsException: task 0_0 failed <- IllegalStateException: third",
                watch.stopReason().orElseThrow());
        assertFalse(watch.health(KafkaStreams.State.ERROR).healthy());
    }

    @Test
    void aFaultFoundOutsideTheThreadsStopsAtOnceAndKeepsItsReason() {
        ProgressWatch watch = watch(3);
        lag = 0;
        assertTrue(watch.health(KafkaStreams.State.RUNNING).healthy());

        assertTrue(watch.stopFor("input topic ad-clicks no longer exists"));

        String reason = "onepipe-archive-t stopped: a fault no new stream thread can heal: input topic ad-clicks no longer exists";
        assertEquals(reason, watch.stopReason().orElseThrow());
        TopologyHealth health = watch.health(KafkaStreams.State.RUNNING);
        assertFalse(health.healthy(), "unhealthy at once, in whatever state Kafka Streams still is");
        assertEquals(reason, health.problem().orElseThrow());
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, watch.onThreadFailure(new IllegalStateException("missing source topic")),
                "the first thread failure after it ends the application too");
        assertFalse(watch.stopFor("output topic x no longer exists"), "the first reason stays");
        assertEquals(reason, watch.stopReason().orElseThrow());
    }

    @Test
    void aCommitBetweenFailuresDoesNotHideALoop() {
        ProgressWatch watch = watch(2);
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, watch.onThreadFailure(new IllegalStateException("S3 refused")));
        commits = 3;
        advanceMillis(10_000);
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, watch.onThreadFailure(new IllegalStateException("S3 refused")));
        commits = 6;
        advanceMillis(10_000);

        TopologyHealth health = watch.health(KafkaStreams.State.RUNNING);

        assertFalse(health.healthy(), "two failures in a row are unhealthy, commits or not");
        assertEquals("stream threads failed 2 times in a row", health.problem().orElseThrow());
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, watch.onThreadFailure(new IllegalStateException("S3 refused")));
    }

    @Test
    void aFailureFreeStallTimeoutEndsTheRow() {
        ProgressWatch watch = watch(1);
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, watch.onThreadFailure(new IllegalStateException("transient")));
        advanceMillis(60_000);
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, watch.onThreadFailure(new IllegalStateException("transient again")));
        advanceMillis(59_000);
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, watch.onThreadFailure(new IllegalStateException("for good")));
    }

    @Test
    void aFailedThreadWithoutALaterCommitIsUnhealthyEvenWhileRunning() {
        ProgressWatch watch = watch(5);
        assertTrue(watch.health(KafkaStreams.State.RUNNING).healthy());

        watch.onThreadFailure(new IllegalArgumentException("Timestamp may not be negative"));
        TopologyHealth health = watch.health(KafkaStreams.State.RUNNING);

        assertFalse(health.healthy());
        assertEquals("stream threads failed 1 time(s) since the last commit", health.problem().orElseThrow());
        assertEquals("IllegalArgumentException: Timestamp may not be negative", health.lastError().orElseThrow());

        commits = 1;
        assertTrue(watch.health(KafkaStreams.State.RUNNING).healthy(), "a commit is progress again");
    }

    @Test
    void lagWithoutACommitForTheStallTimeoutIsUnhealthy() {
        ProgressWatch watch = watch(5);
        advanceMillis(59_000);
        assertTrue(watch.health(KafkaStreams.State.RUNNING).healthy());
        advanceMillis(2_000);

        TopologyHealth stalled = watch.health(KafkaStreams.State.RUNNING);

        assertFalse(stalled.healthy());
        assertEquals("no commit for 61,000 ms while lag is 5 records", stalled.problem().orElseThrow());
        lag = 0;
        assertTrue(watch.health(KafkaStreams.State.RUNNING).healthy(), "caught up: nothing to commit is no stall");
    }

    @Test
    void aStateOtherThanRunningOrRebalancingIsUnhealthy() {
        assertFalse(watch(5).health(KafkaStreams.State.PENDING_SHUTDOWN).healthy());
        assertTrue(watch(5).health(KafkaStreams.State.REBALANCING).healthy());
    }

    @Test
    void aCauseWithoutAMessageIsNamedByItsTypeAndTheCausesBelowIt() {
        // what "Cannot reach Kafka at host:port: null" used to print: the message of an exception that has none
        IllegalStateException silent = new IllegalStateException((String) null,
                new java.net.ConnectException("Connection refused"));
        assertEquals("IllegalStateException <- ConnectException: Connection refused", ProgressWatch.describe(silent));
    }

    @Test
    void anAuthorizationFailureNamesTheTopicAndTheMissingRight() {
        TopicAuthorizationException consumerSide = new TopicAuthorizationException(Set.of("ad-served"));
        consumerSide.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("org.apache.kafka.clients.consumer.internals.Fetcher", "fetch", "Fetcher.java", 1)});
        TopicAuthorizationException producerSide = new TopicAuthorizationException(Set.of("campaign-metrics"));
        producerSide.setStackTrace(new StackTraceElement[] {
            new StackTraceElement(KafkaProducer.class.getName(), "send", "KafkaProducer.java", 1)});

        assertTrue(ProgressWatch.describe(new StreamsException(consumerSide))
                .startsWith("not authorized: the principal lacks READ (and DESCRIBE) on topic(s) ad-served ("), ProgressWatch.describe(consumerSide));
        assertTrue(ProgressWatch.describe(producerSide)
                .startsWith("not authorized: the principal lacks WRITE (and DESCRIBE) on topic(s) campaign-metrics ("));
    }

    @Test
    void aRecurringAuthorizationFailureStopsTheApplicationWithItsMessage() {
        ProgressWatch watch = watch(1);
        watch.onThreadFailure(new StreamsException(new TopicAuthorizationException(Set.of("ad-served"))));
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                watch.onThreadFailure(new StreamsException(new TopicAuthorizationException(Set.of("ad-served")))));
        assertTrue(watch.stopReason().orElseThrow().contains("lacks READ (and DESCRIBE) on topic(s) ad-served"), watch.stopReason().orElseThrow());
    }
}
