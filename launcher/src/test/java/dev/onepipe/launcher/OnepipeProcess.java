package dev.onepipe.launcher;

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

/** The onepipe command line in a separate JVM, as a user would run it, with its output read line by line. */
final class OnepipeProcess implements AutoCloseable {

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

    static OnepipeProcess start(String... arguments) {
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

    /** The first line matching {@code predicate} within {@code timeout}, or empty. */
    Optional<String> awaitLine(Predicate<String> predicate, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String line : seen) {
            if (predicate.test(line)) {
                return Optional.of(line);
            }
        }
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (predicate.test(line)) {
                    return Optional.of(line);
                }
            } else if (!process.isAlive() && lines.isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    String output() {
        lines.drainTo(seen);
        return String.join("\n", seen);
    }

    /**
     * Sends SIGTERM with {@code kill}, as an operator or a container runtime would, and waits for the process to
     * end; returns its exit code. ({@code Process.destroy()} from inside the failsafe fork ended the child
     * without its shutdown hooks running, which is not what this test is about.)
     */
    int terminate(Duration timeout) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("onepipe did not stop within " + timeout + " of SIGTERM:\n" + output());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("onepipe did not finish within " + timeout + ":\n" + output());
        }
        reader.join(5_000);
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
