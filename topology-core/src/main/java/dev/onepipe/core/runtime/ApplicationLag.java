package dev.onepipe.core.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a Kafka Streams application's committed offsets are behind the end of its input topics and of its own
 * repartition topics ({@code <application id>-...-repartition}). Zero means everything written so far has been
 * processed and committed, through every sub-topology: what a demo or a test waits for before reading results.
 */
public final class ApplicationLag {

    private ApplicationLag() {
    }

    /**
     * The records not yet committed by {@code applicationId}, summed over every partition of {@code inputTopics} and of
     * its repartition topics. Committed offsets are read before the ends (last stable offsets), so a record written
     * by the last commit counts against the end it produced.
     */
    public static long total(Admin admin, String applicationId, Collection<String> inputTopics) throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get();
            List<String> topics = new ArrayList<>(inputTopics);
            admin.listTopics().names().get().stream()
                    .filter(topic -> topic.startsWith(applicationId + "-") && topic.endsWith("-repartition"))
                    .forEach(topics::add);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get().values().forEach(description ->
                    description.partitions().forEach(partition ->
                            latest.put(new TopicPartition(description.name(), partition.partition()), OffsetSpec.latest())));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin
                    .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            long lag = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
                OffsetAndMetadata offset = committed.get(end.getKey());
                lag += Math.max(0, end.getValue().offset() - (offset == null ? 0 : offset.offset()));
            }
            return lag;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the progress of " + applicationId + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
