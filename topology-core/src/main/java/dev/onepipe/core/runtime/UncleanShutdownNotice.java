package dev.onepipe.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, before Kafka Streams starts, that the previous run on this state directory ended without a clean close
 * (SIGKILL, a crash, a lost machine), and what follows. Under exactly-once, Kafka Streams writes a task's
 * {@code .checkpoint} only on a clean close; a task folder holding stores but no checkpoint is wiped and restored from
 * its changelog, and Kafka Streams 4.3 logs that normal recovery as {@code ERROR ... TaskCorruptedException}. That
 * line cannot be silenced without hiding the real errors the same logger reports, so this one WARN line names it as
 * the expected recovery path.
 */
final class UncleanShutdownNotice {

    private static final Logger LOG = LoggerFactory.getLogger(UncleanShutdownNotice.class);
    private static final String CHECKPOINT = ".checkpoint";

    private UncleanShutdownNotice() {
    }

    /** Logs the notice when {@code properties} (application id, state dir, guarantee) point at tasks left without a checkpoint. */
    static void logIfUnclean(Properties properties) {
        if (!String.valueOf(properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).startsWith("exactly_once")) {
            return;
        }
        String applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        List<String> tasks = tasksWithoutCheckpoint(Path.of(properties.getProperty(StreamsConfig.STATE_DIR_CONFIG), applicationId));
        if (!tasks.isEmpty()) {
            LOG.warn("{}: the previous run on this state directory did not close cleanly (tasks {} have no checkpoint): Kafka Streams now"
                    + " wipes their stores and restores them from the changelogs, and logs that as 'ERROR ... TaskCorruptedException'."
                    + " That is the expected recovery after a crash, not a new failure.", applicationId, tasks);
        }
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
}
