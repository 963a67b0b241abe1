package dev.onepipe.core.runtime.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Decides when a topic a running topology needs has been deleted under it: a fault no new stream thread can heal (the
 * records in it are gone with it), yet one Kafka Streams may not notice for minutes, staying RUNNING and healthy by
 * every other measure: a deleted input until the next metadata refresh ({@code metadata.max.age.ms}, 5 minutes) or
 * rebalance, a deleted output, changelog or dead-letter topic until a send has retried for {@code max.block.ms} or
 * {@code delivery.timeout.ms}.
 *
 * <p>A topic counts as deleted when it was seen to exist before and now exists under a new topic id (KIP-516: deleted
 * and created again, e.g. by a broker's {@code auto.create.topics.enable} or Kafka Streams' own creation of internal
 * topics at a rebalance, so the records in it are gone), or when it was seen before and the broker then answered
 * {@code UNKNOWN_TOPIC_OR_PARTITION} for it in {@code confirmations} checks in a row: a topic not created yet (an
 * internal topic before the first rebalance, a changelog of a store without logging, an input missing at start, which
 * the start itself refuses) is never "deleted", and a check that got no authoritative answer (an unreachable broker, a
 * timeout, an authorization error, which the broker gives for a missing and an unreadable topic alike) neither counts
 * nor clears the count: those stay the progress watch's business (stall, failed threads).
 *
 * <p>Thread-safe: the periodic check and a failing stream thread may observe at once.
 */
public final class TopicDeletionWatch {

    /** How often the running topology's topics are checked; 0 turns the check off. */
    public static final String CHECK_INTERVAL_MS = "onepipe.health.topic.check.interval.ms";
    public static final long DEFAULT_CHECK_INTERVAL_MS = 5_000;
    /** Authoritative "no such topic" answers in a row that make a topic deleted. */
    public static final int CONFIRMATIONS = 2;

    /** What the broker's answer about one topic says. */
    public enum Kind {
        /** The topic exists. */
        EXISTS,
        /** The broker answered {@code UNKNOWN_TOPIC_OR_PARTITION}: it has no such topic. */
        UNKNOWN_TOPIC,
        /** No authoritative answer: unreachable, timed out, not authorized, or any other error. */
        UNANSWERED
    }

    /**
     * The broker's answer about one topic.
     *
     * @param kind    what it says
     * @param topicId the topic's id (KIP-516) when it exists and the broker names one, else null: a topic deleted and
     *                created again under the same name has a new id
     */
    public record Answer(Kind kind, String topicId) {

        public static final Answer UNKNOWN_TOPIC = new Answer(Kind.UNKNOWN_TOPIC, null);
        public static final Answer UNANSWERED = new Answer(Kind.UNANSWERED, null);

        public Answer {
            Objects.requireNonNull(kind, "kind");
        }

        /** The topic exists, with id {@code topicId} (null if the broker names none). */
        public static Answer exists(String topicId) {
            return new Answer(Kind.EXISTS, topicId);
        }
    }

    private final TopologyTopics topics;
    private final int confirmations;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, String> idByTopic = new HashMap<>();
    private final Map<String, Integer> missingInRow = new HashMap<>();

    /**
     * @param topics        the topics to watch, with their roles
     * @param confirmations authoritative "no such topic" answers in a row that make a topic deleted, at least 1
     */
    public TopicDeletionWatch(TopologyTopics topics, int confirmations) {
        if (confirmations < 1) {
            throw new IllegalArgumentException("confirmations must be >= 1, not " + confirmations);
        }
        this.topics = topics;
        this.confirmations = confirmations;
    }

    /** The topics to ask the broker about. */
    public Set<String> topics() {
        return topics.topics();
    }

    /**
     * Takes one check's answers (topics not in {@code answers} count as unanswered) and returns the fault when a
     * topic is now deleted, e.g. {@code "input topic ad-clicks no longer exists"} (several joined by "; "); empty
     * otherwise.
     */
    public synchronized Optional<String> observe(Map<String, Answer> answers) {
        List<String> deleted = new ArrayList<>();
        for (Map.Entry<String, String> topic : topics.roleByTopic().entrySet()) {
            String name = topic.getKey();
            Answer answer = answers.getOrDefault(name, Answer.UNANSWERED);
            if (answer.kind() == Kind.EXISTS) {
                seen.add(name);
                missingInRow.remove(name);
                String before = answer.topicId() == null ? null : idByTopic.put(name, answer.topicId());
                if (before != null && !before.equals(answer.topicId())) {
                    deleted.add(topic.getValue() + " " + name + " no longer exists: it was deleted and created again (topic id "
                            + before + ", now " + answer.topicId() + "), so the records this application had not read yet are gone");
                }
            } else if (answer.kind() == Kind.UNKNOWN_TOPIC && seen.contains(name)
                    && missingInRow.merge(name, 1, Integer::sum) >= confirmations) {
                deleted.add(topic.getValue() + " " + name + " no longer exists");
            }
        }
        return deleted.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", deleted));
    }

    /**
     * Asks the cluster about {@code topicNames} with one {@code describeTopics}, each answer within {@code timeout}.
     * Never throws: what could not be asked is {@link Answer#UNANSWERED}.
     */
    public static Map<String, Answer> ask(Admin admin, Set<String> topicNames, Duration timeout) throws InterruptedException {
        Map<String, Answer> answers = new LinkedHashMap<>();
        if (topicNames.isEmpty()) {
            return answers;
        }
        Map<String, KafkaFuture<TopicDescription>> futures;
        try {
            futures = admin.describeTopics(topicNames, new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues();
        } catch (RuntimeException e) {
            return answers;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> future : futures.entrySet()) {
            answers.put(future.getKey(), answer(future.getValue(), Math.max(0, deadline - System.nanoTime())));
        }
        return answers;
    }

    private static Answer answer(KafkaFuture<TopicDescription> description, long waitNanos) throws InterruptedException {
        try {
            Uuid id = description.get(waitNanos, TimeUnit.NANOSECONDS).topicId();
            return Answer.exists(id == null || Uuid.ZERO_UUID.equals(id) ? null : id.toString());
        } catch (ExecutionException e) {
            return e.getCause() instanceof UnknownTopicOrPartitionException ? Answer.UNKNOWN_TOPIC : Answer.UNANSWERED;
        } catch (TimeoutException e) {
            return Answer.UNANSWERED;
        }
    }
}
