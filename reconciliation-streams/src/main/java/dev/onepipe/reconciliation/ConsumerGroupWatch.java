package dev.onepipe.reconciliation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches consumer groups' committed offsets over a window of samples and rates each group by {@link BurrowEvaluation}.
 *
 * <p>Burrow reads every commit from {@code __consumer_offsets}; this watch samples the committed offsets through the
 * Admin API instead, so it does not see commits that repeat an offset. It therefore counts a sample as a commit while
 * the group has members (a live consumer commits what it has, so an offset that does not move while there is lag is a
 * STALL), and, while the group has no members, only a change of offset (none: the window's last commit ages, and with
 * lag that is a STOP).
 *
 * <p>Exactly-once producers leave a transaction marker after the last record of a transaction; a consumer that has
 * read everything commits the offset of that marker, one below the end, for ever (see {@code ApplicationLag} in
 * topology-core). A lag of exactly 1 is therefore checked with a {@code read_committed} consumer: when nothing is
 * left to read from the committed offset, the lag counts as 0.
 */
public final class ConsumerGroupWatch implements AutoCloseable {

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> markerCheck;
    private final int window;
    private final Map<String, Map<TopicPartition, List<BurrowEvaluation.Commit>>> commits = new TreeMap<>();
    private final Map<String, Map<TopicPartition, Long>> lags = new HashMap<>();
    private final Map<String, Boolean> active = new HashMap<>();

    /**
     * @param clientConfig bootstrap servers and client settings
     * @param window       commits kept per partition (Burrow's {@code intervals}, default 10 there)
     */
    public ConsumerGroupWatch(Map<String, Object> clientConfig, int window) {
        this.admin = Admin.create(clientConfig);
        Map<String, Object> consumer = new HashMap<>(clientConfig);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.markerCheck = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.window = window;
    }

    /**
     * The groups whose id starts with {@code prefix}, plus {@code extra}, with whether each has members now.
     */
    public Map<String, Boolean> groups(String prefix, Collection<String> extra) throws InterruptedException {
        try {
            Map<String, Boolean> groups = new TreeMap<>();
            for (GroupListing listing : admin.listGroups().all().get()) {
                if (listing.groupId().startsWith(prefix) || extra.contains(listing.groupId())) {
                    Optional<GroupState> state = listing.groupState();
                    groups.put(listing.groupId(), state.map(value -> value != GroupState.EMPTY && value != GroupState.DEAD).orElse(true));
                }
            }
            extra.forEach(group -> groups.putIfAbsent(group, false));
            return groups;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot list consumer groups: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Takes one sample of every group's committed offsets and lags, at {@code nowMs}. */
    public void sample(Map<String, Boolean> groups, long nowMs) throws InterruptedException {
        try {
            for (Map.Entry<String, Boolean> group : groups.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.getKey()).partitionsToOffsetAndMetadata().get();
                committed.values().removeIf(offset -> offset == null);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                committed.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = latest.isEmpty() ? Map.of()
                        : admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
                Map<TopicPartition, List<BurrowEvaluation.Commit>> groupCommits = commits.computeIfAbsent(group.getKey(), any -> new HashMap<>());
                Map<TopicPartition, Long> groupLags = lags.computeIfAbsent(group.getKey(), any -> new HashMap<>());
                active.put(group.getKey(), group.getValue());
                for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
                    long offset = entry.getValue().offset();
                    long lag = Math.max(0, ends.get(entry.getKey()).offset() - offset);
                    if (lag == 1 && nothingLeftToRead(entry.getKey(), offset, ends.get(entry.getKey()).offset())) {
                        lag = 0;
                    }
                    groupLags.put(entry.getKey(), lag);
                    List<BurrowEvaluation.Commit> partitionCommits = groupCommits.computeIfAbsent(entry.getKey(), any -> new ArrayList<>());
                    boolean changed = partitionCommits.isEmpty() || partitionCommits.get(partitionCommits.size() - 1).offset() != offset;
                    if (group.getValue() || changed) {
                        partitionCommits.add(new BurrowEvaluation.Commit(nowMs, offset, lag));
                        while (partitionCommits.size() > window) {
                            partitionCommits.remove(0);
                        }
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read consumer group offsets: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** True when a read_committed consumer finds no record between {@code offset} and {@code end} (only markers, aborted records). */
    private boolean nothingLeftToRead(TopicPartition partition, long offset, long end) {
        markerCheck.assign(List.of(partition));
        markerCheck.seek(partition, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (!markerCheck.poll(Duration.ofMillis(200)).isEmpty()) {
                return false;
            }
            if (markerCheck.position(partition) >= end) {
                return true;
            }
        }
        return false;
    }

    /**
     * A group's state now.
     *
     * @param group      the group id
     * @param status     the worst partition status
     * @param lag        records behind, summed over its partitions (markers not counted)
     * @param ratePerSec committed offsets advanced per second over the window, summed over partitions
     * @param members    whether the group has members
     * @param partitions partitions committed to
     * @param worst      the partition with the worst status (then the largest lag), empty without partitions
     */
    public record GroupStatus(String group, LagStatus status, long lag, double ratePerSec, boolean members, int partitions,
                              Optional<TopicPartition> worst) {
    }

    /** The sampled groups that have committed offsets of {@code topic}: the applications consuming it. */
    public Set<String> groupsReading(String topic) {
        Set<String> reading = new TreeSet<>();
        commits.forEach((group, partitions) -> {
            if (partitions.keySet().stream().anyMatch(partition -> partition.topic().equals(topic))) {
                reading.add(group);
            }
        });
        return reading;
    }

    /** Every sampled group's status at {@code nowMs}. */
    public List<GroupStatus> statuses(long nowMs) {
        List<GroupStatus> statuses = new ArrayList<>();
        commits.forEach((group, partitions) -> {
            LagStatus worstStatus = LagStatus.OK;
            TopicPartition worst = null;
            long worstLag = -1;
            long lag = 0;
            double rate = 0;
            for (Map.Entry<TopicPartition, List<BurrowEvaluation.Commit>> entry : partitions.entrySet()) {
                long current = lags.get(group).getOrDefault(entry.getKey(), 0L);
                lag += current;
                List<BurrowEvaluation.Commit> window = entry.getValue();
                LagStatus status = BurrowEvaluation.evaluate(window, current, nowMs);
                if (status.compareTo(worstStatus) > 0 || (status == worstStatus && current > worstLag)) {
                    worstStatus = status;
                    worst = entry.getKey();
                    worstLag = current;
                }
                if (window.size() > 1) {
                    BurrowEvaluation.Commit first = window.get(0);
                    long span = Math.max(1, nowMs - first.timeMs());
                    rate += Math.max(0, window.get(window.size() - 1).offset() - first.offset()) * 1000.0 / span;
                }
            }
            statuses.add(new GroupStatus(group, worstStatus, lag, rate, active.getOrDefault(group, false), partitions.size(),
                    Optional.ofNullable(worst)));
        });
        return statuses;
    }

    @Override
    public void close() {
        markerCheck.close();
        admin.close();
    }
}
