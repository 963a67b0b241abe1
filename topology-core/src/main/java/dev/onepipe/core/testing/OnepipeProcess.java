package dev.onepipe.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.onepipe.core.cli.OnepipeCommand;

/**
 * {@code onepipe} in its own JVM on the test's classpath, as an operator runs it, with its output read line by
 * line: for tests of what a process does when it is stopped with SIGTERM or killed with SIGKILL.
 */
public final class OnepipeProcess implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread reader;

    private OnepipeProcess(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                output.lines().forEach(lines::add);
            } catch (IOException e) {
                // The process ended; its output is complete.
            }
        }, "onepipe-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code onepipe <arguments>} with a 512 MB heap; standard error is merged into the output. */
    public static OnepipeProcess start(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(OnepipeCommand.class.getName());
        command.addAll(List.of(arguments));
        try {
            return new OnepipeProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code java -jar <jar> <arguments>} with a 512 MB heap, e.g. a module's own per-topology jar, so a test
     * runs what an operator deploys; standard error is merged into the output.
     */
    public static OnepipeProcess startJar(Path jar, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(arguments));
        try {
            return new OnepipeProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first line matching {@code predicate} within {@code timeout}, or empty. */
    public Optional<String> awaitLine(Predicate<String> predicate, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            for (String line : seen) {
                if (predicate.test(line)) {
                    return Optional.of(line);
                }
            }
        }
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                synchronized (seen) {
                    seen.add(line);
                }
                if (predicate.test(line)) {
                    return Optional.of(line);
                }
            } else if (!process.isAlive() && lines.isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far. */
    public String output() {
        synchronized (seen) {
            lines.drainTo(seen);
            return String.join("\n", seen);
        }
    }

    /** Ends the process with SIGKILL: no shutdown hook, no commit, no clean close, as when a machine dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * Sends SIGTERM with {@code kill}, as an operator or a container runtime would, and waits for the process to
     * end; returns its exit code. ({@code Process.destroy()} from inside the failsafe fork ended the child
     * without its shutdown hooks running, which is not what such tests are about.)
     */
    public int terminate(Duration timeout) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return awaitEnd(timeout, "of SIGTERM");
    }

    /** Waits for the process to finish by itself; returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return awaitEnd(timeout, "");
    }

    private int awaitEnd(Duration timeout, String after) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("onepipe did not end within " + timeout + " " + after + ":\n" + output());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
