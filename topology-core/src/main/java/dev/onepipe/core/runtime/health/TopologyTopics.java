package dev.onepipe.core.runtime.health;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.onepipe.core.deadletter.DeadLetterTopics;
import org.apache.kafka.streams.TopologyDescription;

/**
 * Every topic a built topology reads or writes, by name, each with its role in words ("input topic", "output topic",
 * "repartition topic", "changelog topic", "global table topic", "dead-letter topic"), as {@link TopicDeletionWatch}
 * names a deleted one.
 *
 * <p>Taken from the {@link TopologyDescription}: the topics of its sources (not pattern subscriptions, whose topics
 * are not known in advance) and sinks (not the ones a {@code TopicNameExtractor} picks per record), its global stores'
 * topics, the internal topics Kafka Streams names {@code <application id>-<name>} (a topic both written and read whose
 * name ends in {@code -repartition} or a foreign-key join's subscription suffix), the changelog each store of a stream
 * task would have ({@code <application id>-<store>-changelog}: a store without logging has none, and a candidate that
 * never exists is never reported deleted), and the dead-letter topics onepipe creates ({@link DeadLetterTopics}).
 */
public record TopologyTopics(Map<String, String> roleByTopic) {

    public TopologyTopics {
        roleByTopic = Collections.unmodifiableMap(new TreeMap<>(roleByTopic));
    }

    /** The topics of {@code description} run as application {@code applicationId}. */
    public static TopologyTopics of(TopologyDescription description, String applicationId) {
        DeadLetterTopics.TopicUse use = DeadLetterTopics.TopicUse.of(description);
        Set<String> internal = use.internal();
        Map<String, String> roles = new TreeMap<>();
        for (TopologyDescription.GlobalStore global : description.globalStores()) {
            if (global.source().topicSet() != null) {
                global.source().topicSet().forEach(topic -> roles.put(topic, "global table topic"));
            }
        }
        for (String sink : use.sinks()) {
            if (internal.contains(sink)) {
                roles.put(applicationId + "-" + sink, sink.endsWith("-repartition") ? "repartition topic" : "internal topic");
            } else {
                roles.put(sink, "output topic");
            }
        }
        for (String source : use.sources()) {
            if (!internal.contains(source)) {
                roles.put(source, "input topic");
            }
        }
        for (String store : use.stores()) {
            roles.put(applicationId + "-" + store + "-changelog", "changelog topic");
        }
        for (String deadLetters : DeadLetterTopics.names(description, applicationId)) {
            roles.putIfAbsent(deadLetters, "dead-letter topic");
        }
        return new TopologyTopics(roles);
    }

    /** The topics' names. */
    public Set<String> topics() {
        return roleByTopic.keySet();
    }
}
