package dev.onepipe.core.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.health.TopicDeletionWatch;
import dev.onepipe.core.runtime.health.TopologyTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the cluster every {@value TopicDeletionWatch#CHECK_INTERVAL_MS} (default
 * {@value TopicDeletionWatch#DEFAULT_CHECK_INTERVAL_MS} ms) whether the topics of a running topology
 * ({@link TopologyTopics}) still exist, with one admin client, and hands the first deletion
 * {@link TopicDeletionWatch} confirms to {@code onDeleted}, once. A failing stream thread asks at once
 * ({@link #checkNow}), so a thread that died of the deletion is not mistaken for a bug.
 */
final class DeletedTopicCheck implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeletedTopicCheck.class);
    private static final long ANSWER_SECONDS = 5;

    private final String applicationId;
    private final TopicDeletionWatch watch;
    private final long intervalMillis;
    private final Supplier<Admin> admins;
    private final Consumer<String> onDeleted;
    private ScheduledExecutorService scheduler;
    private Admin admin;
    private boolean reported;
    private boolean closed;

    private DeletedTopicCheck(String applicationId, TopicDeletionWatch watch, long intervalMillis, Supplier<Admin> admins,
                              Consumer<String> onDeleted) {
        this.applicationId = applicationId;
        this.watch = watch;
        this.intervalMillis = intervalMillis;
        this.admins = admins;
        this.onDeleted = onDeleted;
    }

    /**
     * The check of the topics of {@code description} run as {@code applicationId}, every
     * {@value TopicDeletionWatch#CHECK_INTERVAL_MS} of {@code config} (0: never).
     *
     * @throws IllegalArgumentException if the interval is negative
     */
    static DeletedTopicCheck configured(String applicationId, OnepipeConfig config, TopologyDescription description,
                                        Supplier<Admin> admins, Consumer<String> onDeleted) {
        long interval = config.getLong(TopicDeletionWatch.CHECK_INTERVAL_MS, TopicDeletionWatch.DEFAULT_CHECK_INTERVAL_MS);
        if (interval < 0) {
            throw new IllegalArgumentException(TopicDeletionWatch.CHECK_INTERVAL_MS + " must be >= 0, not " + interval);
        }
        return new DeletedTopicCheck(applicationId, new TopicDeletionWatch(TopologyTopics.of(description, applicationId),
                TopicDeletionWatch.CONFIRMATIONS), interval, admins, onDeleted);
    }

    /** Starts the periodic check, the first one now. */
    synchronized void start() {
        if (intervalMillis == 0 || closed) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, applicationId + "-topic-check");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::checkAndReport, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Checks now, waiting at most about {@value #ANSWER_SECONDS} s for the answer; the confirmed deletion, if any.
     * Unlike the periodic check it does not call {@code onDeleted}: a failing stream thread stops the application
     * through its own answer to Kafka Streams.
     */
    Optional<String> checkNow() {
        if (intervalMillis == 0) {
            return Optional.empty();
        }
        try {
            Admin client = admin();
            if (client == null) {
                return Optional.empty();
            }
            return watch.observe(TopicDeletionWatch.ask(client, watch.topics(), Duration.ofSeconds(ANSWER_SECONDS)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            // a check that could not run is no answer: the progress watch still sees a stall
            LOG.debug("{}: could not check its topics", applicationId, e);
            return Optional.empty();
        }
    }

    private void checkAndReport() {
        checkNow().ifPresent(this::reportOnce);
    }

    private void reportOnce(String deleted) {
        synchronized (this) {
            if (reported || closed) {
                return;
            }
            reported = true;
        }
        onDeleted.accept(deleted);
    }

    private synchronized Admin admin() {
        if (admin == null && !closed) {
            admin = admins.get();
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
