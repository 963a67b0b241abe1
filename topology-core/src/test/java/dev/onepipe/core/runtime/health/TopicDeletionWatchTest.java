package dev.onepipe.core.runtime.health;

import static dev.onepipe.core.runtime.health.TopicDeletionWatch.Answer.UNANSWERED;
import static dev.onepipe.core.runtime.health.TopicDeletionWatch.Answer.UNKNOWN_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import dev.onepipe.core.runtime.health.TopicDeletionWatch.Answer;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The decision alone, fed the broker's answers by hand: when a topic of a running topology counts as deleted. */
class TopicDeletionWatchTest {

    private static final Answer EXISTS = Answer.exists("id-1");
    private static final TopologyTopics TOPICS = new TopologyTopics(Map.of(
            "ad-clicks", "input topic",
            "app-counts-changelog", "changelog topic"));

    @Test
    void aTopicSeenThenAnsweredUnknownTwiceInARowIsDeleted() {
        TopicDeletionWatch watch = new TopicDeletionWatch(TOPICS, 2);
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", EXISTS, "app-counts-changelog", EXISTS)));
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC, "app-counts-changelog", EXISTS)));
        assertEquals(Optional.of("input topic ad-clicks no longer exists"),
                watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC, "app-counts-changelog", EXISTS)));
    }

    @Test
    void aTopicNeverSeenIsNotDeleted() {
        // an internal topic before the first rebalance, a changelog of a store without logging, an input missing at start
        TopicDeletionWatch watch = new TopicDeletionWatch(TOPICS, 2);
        for (int check = 0; check < 5; check++) {
            assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", EXISTS, "app-counts-changelog", UNKNOWN_TOPIC)));
        }
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", EXISTS, "app-counts-changelog", EXISTS)),
                "created at last");
        watch.observe(Map.of("ad-clicks", EXISTS, "app-counts-changelog", UNKNOWN_TOPIC));
        assertEquals(Optional.of("changelog topic app-counts-changelog no longer exists"),
                watch.observe(Map.of("ad-clicks", EXISTS, "app-counts-changelog", UNKNOWN_TOPIC)));
    }

    @Test
    void noAnswerNeitherCountsNorClears() {
        // an unreachable broker, a timeout or an authorization error says nothing about the topic
        TopicDeletionWatch watch = new TopicDeletionWatch(TOPICS, 2);
        watch.observe(Map.of("ad-clicks", EXISTS));
        for (int check = 0; check < 5; check++) {
            assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", UNANSWERED)));
        }
        assertEquals(Optional.empty(), watch.observe(Map.of()), "a topic missing from the answers is unanswered");
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC)));
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", UNANSWERED)));
        assertEquals(Optional.of("input topic ad-clicks no longer exists"), watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC)));
    }

    @Test
    void anAnswerThatTheTopicExistsClearsTheCount() {
        // deleted and created again between two checks: it exists, whatever happened to its records
        TopicDeletionWatch watch = new TopicDeletionWatch(TOPICS, 2);
        watch.observe(Map.of("ad-clicks", EXISTS));
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC)));
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", EXISTS)));
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC)));
        assertEquals(Optional.of("input topic ad-clicks no longer exists"), watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC)));
    }

    @Test
    void aTopicCreatedAgainUnderANewIdIsDeletedAtOnce() {
        // the records in the old topic are gone, whoever created the new one (auto-creation, Kafka Streams at a rebalance)
        TopicDeletionWatch watch = new TopicDeletionWatch(TOPICS, 2);
        watch.observe(Map.of("app-counts-changelog", Answer.exists("id-1")));
        assertEquals(Optional.empty(), watch.observe(Map.of("app-counts-changelog", Answer.exists("id-1"))));
        assertEquals(Optional.of("changelog topic app-counts-changelog no longer exists: it was deleted and created again (topic id id-1,"
                        + " now id-2), so the records this application had not read yet are gone"),
                watch.observe(Map.of("app-counts-changelog", Answer.exists("id-2"))));
    }

    @Test
    void aBrokerThatNamesNoTopicIdCannotTellARecreation() {
        TopicDeletionWatch watch = new TopicDeletionWatch(TOPICS, 2);
        watch.observe(Map.of("ad-clicks", Answer.exists("id-1")));
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", Answer.exists(null))));
        assertEquals(Optional.empty(), watch.observe(Map.of("ad-clicks", Answer.exists("id-1"))));
    }

    @Test
    void severalDeletedTopicsAreNamedTogether() {
        TopicDeletionWatch watch = new TopicDeletionWatch(TOPICS, 1);
        watch.observe(Map.of("ad-clicks", EXISTS, "app-counts-changelog", EXISTS));
        assertEquals(Optional.of("input topic ad-clicks no longer exists; changelog topic app-counts-changelog no longer exists"),
                watch.observe(Map.of("ad-clicks", UNKNOWN_TOPIC, "app-counts-changelog", UNKNOWN_TOPIC)));
    }

    @Test
    void confirmationsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new TopicDeletionWatch(TOPICS, 0));
    }
}
