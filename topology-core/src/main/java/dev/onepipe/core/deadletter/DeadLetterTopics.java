package dev.onepipe.core.deadletter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;

import dev.onepipe.metadata.PartitionLeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the dead-letter topic of a topic ({@code <topic>.dlq}) and creates the ones a topology may write before it
 * starts, one per topic it reads: Kafka Streams cannot send a dead-letter record to a topic that does not exist (the
 * producer blocks, then fails the task).
 */
public final class DeadLetterTopics {

    public static final String SUFFIX = ".dlq";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTopics.class);
    private static final List<String> INTERNAL_TOPIC_SUFFIXES =
            List.of("-repartition", "-subscription-registration-topic", "-subscription-response-topic");

    private DeadLetterTopics() {
    }

    /** The dead-letter topic of {@code topic}. */
    public static String of(String topic) {
        return topic + SUFFIX;
    }

    /**
     * The dead-letter topics a topology may write, with their partition counts: one per topic it reads, with that
     * topic's partition count, and one per repartition topic (named as Kafka Streams names the topic,
     * {@code <application id>-<name>}) with the partition count of the largest topic it reads. Every dead letter
     * names the topic its input was read from (a record that cannot be written goes to its input's dead-letter topic),
     * so a topic the topology only writes (an output, a late-records topic, a dead-letter topic) gets none: no
     * {@code x.dlq.dlq}. Topics missing from {@code partitionsByTopic} (not created yet) get none.
     */
    public static Map<String, Integer> required(TopologyDescription description, String applicationId,
                                                Map<String, Integer> partitionsByTopic) {
        TopicUse use = TopicUse.of(description);
        Set<String> sources = use.sources();
        Set<String> internal = use.internal();
        Map<String, Integer> required = new TreeMap<>();
        int largestInput = 0;
        Set<String> external = new HashSet<>(sources);
        external.removeAll(internal);
        for (String topic : external) {
            Integer partitions = partitionsByTopic.get(topic);
            if (partitions != null) {
                required.put(of(topic), partitions);
                if (sources.contains(topic)) {
                    largestInput = Math.max(largestInput, partitions);
                }
            }
        }
        if (largestInput > 0) {
            for (String topic : internal) {
                required.put(of(applicationId + "-" + topic), largestInput);
            }
        }
        return required;
    }

    /** The names of the dead-letter topics {@link #required} lists once every topic {@code description} reads exists. */
    public static Set<String> names(TopologyDescription description, String applicationId) {
        Map<String, Integer> everySource = new TreeMap<>();
        TopicUse.of(description).sources().forEach(topic -> everySource.put(topic, 1));
        return required(description, applicationId, everySource).keySet();
    }

    /** Creates the dead-letter topics {@code description} needs that do not exist yet; returns the ones created. */
    public static List<String> createMissing(Admin admin, TopologyDescription description, String applicationId) {
        try {
            Set<String> existing = admin.listTopics().names().get();
            TopicUse use = TopicUse.of(description);
            Set<String> referenced = new HashSet<>(use.sources());
            referenced.retainAll(existing);
            Map<String, Integer> partitionsByTopic = new TreeMap<>();
            if (!referenced.isEmpty()) {
                for (Map.Entry<String, TopicDescription> topic : admin.describeTopics(referenced).allTopicNames().get().entrySet()) {
                    partitionsByTopic.put(topic.getKey(), topic.getValue().partitions().size());
                }
            }
            List<NewTopic> missing = new ArrayList<>();
            required(description, applicationId, partitionsByTopic).forEach((topic, partitions) -> {
                if (!existing.contains(topic)) {
                    // Replication as the cluster sets it by default, as for any topic created without a choice.
                    missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()));
                }
            });
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    created.add(topic.name());
                    LOG.info("Created dead-letter topic {} ({} partitions)", topic.name(), topic.numPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create dead-letter topic " + topic.name() + " (" + topic.numPartitions()
                                + " partitions): " + e.getCause().getMessage() + ". Create it, or allow this application to create topics",
                                e.getCause());
                    }
                }
            }
            PartitionLeaders.await(admin, created);
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create dead-letter topics: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating dead-letter topics", e);
        }
    }

    /**
     * The topics a topology's stream tasks read and write and the stores they use, as its description names them:
     * internal topics without the {@code <application id>-} prefix Kafka Streams gives them, pattern subscriptions and
     * per-record topic choices left out.
     */
    public record TopicUse(Set<String> sources, Set<String> sinks, Set<String> stores) {

        public static TopicUse of(TopologyDescription description) {
            Set<String> sources = new HashSet<>();
            Set<String> sinks = new HashSet<>();
            Set<String> stores = new HashSet<>();
            for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
                for (TopologyDescription.Node node : subtopology.nodes()) {
                    if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                        sources.addAll(source.topicSet());
                    } else if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                        sinks.add(sink.topic());
                    } else if (node instanceof TopologyDescription.Processor processor) {
                        stores.addAll(processor.stores());
                    }
                }
            }
            return new TopicUse(Set.copyOf(sources), Set.copyOf(sinks), Set.copyOf(stores));
        }

        /**
         * Kafka Streams' internal topics among them: written and read, named {@code -repartition} or with a
         * foreign-key join's subscription suffix.
         */
        public Set<String> internal() {
            Set<String> internal = new HashSet<>();
            for (String topic : sinks) {
                if (sources.contains(topic) && INTERNAL_TOPIC_SUFFIXES.stream().anyMatch(topic::endsWith)) {
                    internal.add(topic);
                }
            }
            return internal;
        }
    }
}
