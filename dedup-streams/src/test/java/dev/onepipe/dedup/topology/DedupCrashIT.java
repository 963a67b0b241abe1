package dev.onepipe.dedup.topology;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onepipe run dedup} in a child JVM, killed with SIGKILL three times at different points of a 200,000-record
 * run (once also losing its local state, so it restores its stores from their changelogs) and restarted each time:
 * the clean topic still equals the generator's final state per widget, with exactly one record per change.
 */
class DedupCrashIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final double[] KILL_AT_SHARE_COMMITTED = {0.15, 0.45, 0.75};

    @TempDir
    Path temporary;

    @Test
    void survivesThreeKillsAndTheCleanTopicAndTableStillEqualTheTally() throws Exception {
        WidgetRun run = new WidgetRun(RUNTIME, RUNTIME.uniqueName("crash-widgets"), 11);
        run.registerAndProduce();
        Path stateRoot = temporary.resolve("state");
        SplittableRandom random = new SplittableRandom(5);
        Map<String, String> settings = run.tableSettings(stateRoot.toString(), temporary.resolve("catalog.sqlite"));
        OnepipeProcess dedup = start(settings, run);
        try {
            for (int kill = 0; kill < KILL_AT_SHARE_COMMITTED.length; kill++) {
                long target = (long) (KILL_AT_SHARE_COMMITTED[kill] * run.records.size());
                try {
                    WidgetRun.awaitTrue(() -> run.committedInput() >= target, target + " input records committed");
                } catch (AssertionError timedOut) {
                    throw new AssertionError(timedOut.getMessage() + "; onepipe run dedup printed:\n" + dedup.output(), timedOut);
                }
                Thread.sleep(random.nextInt(800));
                dedup.kill();
                if (kill == 1) {
                    deleteRecursively(stateRoot);
                }
                System.out.printf("kill %d at %,d committed input records%n", kill + 1, run.committedInput());
                dedup = start(settings, run);
            }
            run.awaitDrained();
            // the last rows reach the table on the running process's commit cadence
            run.assertCleanTableIsTheTally(settings, temporary.resolve("parquet"));
        } finally {
            dedup.close();
        }
        DedupIT.assertCleanTopicIsTheTally(run);
    }

    private static OnepipeProcess start(Map<String, String> runSettings, WidgetRun run) {
        Map<String, String> settings = new java.util.HashMap<>(runSettings);
        // the killed process's open transaction must not hold the partitions' read_committed readers back for long
        settings.put("producer.transaction.timeout.ms", "10000");
        // static membership: the restarted process takes the killed one's place at once, not after its session timeout
        settings.put("main.consumer.group.instance.id", "dedup-crash-test");
        List<String> arguments = new ArrayList<>(List.of("run", DedupTopology.NAME, "--dataset", run.dataset, "--status-interval", "0"));
        settings.forEach((key, value) -> {
            arguments.add("--set");
            arguments.add(key + "=" + value);
        });
        return OnepipeProcess.start(arguments.toArray(String[]::new));
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
