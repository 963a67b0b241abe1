package dev.onepipe.campaign;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Where ysb's partial counts go: a count to its campaign's partition (murmur2 of the key, as Kafka's default
 * partitioner), a watermark to <b>every</b> partition (KIP-837 multicast), so each sum task hears every input
 * partition's progress.
 */
public final class PartialCountPartitioner implements StreamPartitioner<String, PartialCount> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, PartialCount partial, int numPartitions) {
        if (partial.kind() == PartialCount.Kind.WATERMARK) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
        }
        return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions));
    }
}
