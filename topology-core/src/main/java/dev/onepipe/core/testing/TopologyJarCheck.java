package dev.onepipe.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.Test;

/**
 * The check every topology module runs on the jar an operator deploys, {@code target/onepipe-<module>.jar} (built in
 * {@code package}, checked in {@code verify}): it carries none of {@link TopologyJarContents#FORBIDDEN} (no broker,
 * Scala, S3Proxy, JUnit or test kit), and it still starts, answering each given command with its exit code and
 * output. A module's {@code TopologyJarIT} names its jar and commands:
 *
 * <pre>{@code
 * class TopologyJarIT extends TopologyJarCheck {
 *     TopologyJarIT() {
 *         super("dedup-streams", JarRun.of(0, "Usage: onepipe run", "run", "--help"));
 *     }
 * }
 * }</pre>
 *
 * Paths are relative to the module's folder, where failsafe runs. Each command gets two minutes to exit.
 */
public abstract class TopologyJarCheck {

    private static final Duration EXIT_TIMEOUT = Duration.ofMinutes(2);

    private final Path jar;
    private final List<JarRun> runs;

    /**
     * One command to run with the jar and what it must answer.
     *
     * @param exitCode       the process's exit code
     * @param expectedOutput text its output (stdout and stderr) must contain
     * @param arguments      the command line after {@code java -jar <jar>}
     */
    public record JarRun(int exitCode, String expectedOutput, List<String> arguments) {

        public JarRun {
            Objects.requireNonNull(expectedOutput, "expectedOutput");
            arguments = List.copyOf(arguments);
        }

        public static JarRun of(int exitCode, String expectedOutput, String... arguments) {
            return new JarRun(exitCode, expectedOutput, List.of(arguments));
        }
    }

    /** @param module the module's folder name, e.g. {@code dedup-streams} (the jar is {@code target/onepipe-<module>.jar}) */
    protected TopologyJarCheck(String module, JarRun... runs) {
        this.jar = Path.of("target", "onepipe-" + module + ".jar");
        this.runs = List.of(runs);
    }

    /** The jar under check, for a module's own further tests. */
    protected Path jar() {
        return jar;
    }

    @Test
    public void carriesNoBrokerScalaS3ProxyOrTestKit() throws IOException {
        assertTrue(Files.isRegularFile(jar), jar.toAbsolutePath() + " was not built");
        assertEquals(List.of(), TopologyJarContents.forbiddenEntries(jar), "forbidden packages in " + jar);
    }

    @Test
    public void startsAndAnswersItsCommands() throws InterruptedException {
        for (JarRun run : runs) {
            try (OnepipeProcess process = OnepipeProcess.startJar(jar, run.arguments().toArray(String[]::new))) {
                assertEquals(run.exitCode(), process.awaitExit(EXIT_TIMEOUT), run.arguments() + ": " + process.output());
                assertTrue(process.output().contains(run.expectedOutput()), run.arguments() + " should print '" + run.expectedOutput() + "': " + process.output());
            }
        }
    }
}
