package dev.onepipe.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery of a state directory whose previous run ended without a clean close (SIGKILL, a crash, a lost
 * machine), done before Kafka Streams starts and said in one WARN line.
 *
 * <p>Under exactly-once, Kafka Streams writes a task's {@code .checkpoint} only on a clean close. A task folder that
 * holds a changelogged persistent store but no checkpoint may hold writes of an aborted transaction, so Kafka Streams
 * 4.3 treats the task as corrupted: it logs {@code ERROR ... TaskCorruptedException}, closes the task, wipes the task
 * folder, rebalances and restores the stores from their changelogs ({@code ProcessorStateManager}, KIP-447's
 * exactly-once v2). Deleting exactly those task folders first leads to the same state (an empty store restored from
 * the start of its changelog) without the ERROR line and the extra rebalance: measured by {@code ArchiveRecoveryIT},
 * see the README.
 *
 * <p>Whether the previous run closed cleanly is onepipe's own record, not the absence of {@code .checkpoint} files:
 * Kafka Streams 4.3 leaves no {@code .checkpoint} after a clean close under exactly-once either, so a missing
 * checkpoint alone would wipe the stores of every clean restart (and lose what a processor wrote to its store while it
 * closed, e.g. the archive's record that its open chunks are in S3; {@code ArchiveCompactedTopicIT}). A clean close
 * ({@link TopologyRunner#close(java.time.Duration)} with every thread stopped in time) leaves the file
 * {@value #CLEAN_STOP_MARKER} in the application's state directory; the next start removes it and leaves the stores to Kafka Streams.
 *
 * <p>Without that file, a task folder is deleted only when all of these hold: the processing guarantee is exactly-once; this instance
 * holds the state directory's lock ({@link StaticMembership}), so no other live onepipe instance uses it; the folder
 * has no {@code .checkpoint}; and one of its stores has a changelog topic ({@code <application id>-<store>-changelog})
 * in the cluster, which is when Kafka Streams would wipe it too. Otherwise, or when the cluster cannot be asked, the
 * folders are left to Kafka Streams and the WARN line names its ERROR line as the expected recovery.
 */
final class UncleanShutdownRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(UncleanShutdownRecovery.class);
    private static final String CHECKPOINT = ".checkpoint";
    /** The file a clean close leaves in {@code <state.dir>/<application id>}. */
    static final String CLEAN_STOP_MARKER = "onepipe-clean-stop";
    /** Kafka Streams keeps key-value stores under {@code <task>/rocksdb/<store>}, segmented stores under {@code <task>/<store>}. */
    private static final String ROCKSDB = "rocksdb";
    private static final long LIST_TOPICS_TIMEOUT_SECONDS = 30;

    private UncleanShutdownRecovery() {
    }

    /**
     * Deletes the task folders of {@code properties}' application (application id, state dir, guarantee) that Kafka
     * Streams would find corrupted, and logs one WARN line naming them; does nothing after a clean close or a first start.
     *
     * @param holdsStateDirectoryLock whether this instance holds the state directory's lock
     * @param admin opens an admin client to list the changelog topics; called only when a task folder has no checkpoint
     */
    static void prepare(Properties properties, boolean holdsStateDirectoryLock, Supplier<Admin> admin) {
        if (removeCleanStopMarker(properties) || !String.valueOf(properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).startsWith("exactly_once")) {
            return;
        }
        String applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        Path applicationStateDir = Path.of(properties.getProperty(StreamsConfig.STATE_DIR_CONFIG), applicationId);
        List<String> tasks = tasksWithoutCheckpoint(applicationStateDir);
        if (tasks.isEmpty()) {
            return;
        }
        List<String> wiped = holdsStateDirectoryLock ? wipeChangelogged(applicationId, applicationStateDir, tasks, admin) : List.of();
        if (!wiped.isEmpty()) {
            LOG.warn("{}: the previous run on this state directory did not close cleanly (SIGKILL or crash): under exactly-once the"
                    + " local stores of tasks {} may hold uncommitted writes, so they were deleted and Kafka Streams restores them from"
                    + " their changelogs. This is the expected recovery.", applicationId, wiped);
        }
        List<String> left = tasksWithoutCheckpoint(applicationStateDir);
        if (!left.isEmpty()) {
            LOG.warn("{}: the previous run on this state directory did not close cleanly (tasks {} have no checkpoint): Kafka Streams now"
                    + " wipes their stores and restores them from the changelogs, and logs that as 'ERROR ... TaskCorruptedException'."
                    + " That is the expected recovery after a crash, not a new failure.", applicationId, left);
        }
    }

    /**
     * Records that this run closed cleanly, for the next start's {@link #prepare}. Call only after every stream thread
     * stopped in time, while the instance still holds the state directory's lock. A failure to write is logged: the
     * next start then treats the stop as unclean, which costs a restore from the changelogs, not data.
     */
    static void recordCleanStop(Properties properties) {
        Path marker = cleanStopMarker(properties);
        try {
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, "closed cleanly\n");
        } catch (IOException e) {
            LOG.warn("{}: cannot record the clean stop in {} ({}); the next start restores its stores from the changelogs",
                    properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG), marker, e.toString());
        }
    }

    /** Removes the clean-stop record, so that a crash of this run is not taken for a clean stop; returns whether it was there. */
    private static boolean removeCleanStopMarker(Properties properties) {
        try {
            return Files.deleteIfExists(cleanStopMarker(properties));
        } catch (IOException e) {
            LOG.debug("cannot remove {} ({}); treating the previous stop as unclean", cleanStopMarker(properties), e.toString());
            return false;
        }
    }

    private static Path cleanStopMarker(Properties properties) {
        return Path.of(properties.getProperty(StreamsConfig.STATE_DIR_CONFIG), properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG))
                .resolve(CLEAN_STOP_MARKER);
    }

    /** Deletes those of {@code tasks} that hold a store with a changelog topic; returns them (none if the cluster cannot be asked). */
    private static List<String> wipeChangelogged(String applicationId, Path applicationStateDir, List<String> tasks, Supplier<Admin> admin) {
        List<String> wiped = new ArrayList<>();
        try (Admin client = admin.get()) {
            Set<String> topics = client.listTopics().names().get(LIST_TOPICS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (String task : tasks) {
                Path folder = applicationStateDir.resolve(task);
                if (storeNames(folder).stream().anyMatch(store -> topics.contains(changelogTopic(applicationId, store)))) {
                    deleteRecursively(folder);
                    wiped.add(task);
                }
            }
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("{}: could not delete the stores of tasks {} ({}); Kafka Streams wipes them", applicationId, tasks, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return wiped;
    }

    /** Kafka Streams' name of the changelog topic of {@code store}. */
    static String changelogTopic(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /** Task folders ({@code <subtopology>_<partition>}) under {@code applicationStateDir} that hold stores but no checkpoint. */
    static List<String> tasksWithoutCheckpoint(Path applicationStateDir) {
        if (!Files.isDirectory(applicationStateDir)) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(applicationStateDir)) {
            return folders.filter(folder -> folder.getFileName().toString().matches("\\d+_\\d+") && Files.isDirectory(folder))
                    .filter(folder -> !Files.exists(folder.resolve(CHECKPOINT)) && hasStores(folder))
                    .map(folder -> folder.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean hasStores(Path taskFolder) {
        try (Stream<Path> entries = Files.list(taskFolder)) {
            return entries.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    /** The names of the stores in a task folder: {@code rocksdb/<store>} and {@code <store>} directories. */
    static List<String> storeNames(Path taskFolder) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(taskFolder)) {
            for (Path entry : entries.filter(Files::isDirectory).toList()) {
                if (entry.getFileName().toString().equals(ROCKSDB)) {
                    try (Stream<Path> stores = Files.list(entry)) {
                        stores.filter(Files::isDirectory).forEach(store -> names.add(store.getFileName().toString()));
                    }
                } else {
                    names.add(entry.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return names;
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
