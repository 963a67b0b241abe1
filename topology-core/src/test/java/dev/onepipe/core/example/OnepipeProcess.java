package dev.onepipe.core.example;

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

/** {@code onepipe} in its own JVM, as an operator runs it, with its output read line by line. */
final class OnepipeProcess implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private OnepipeProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
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

    String output() {
        synchronized (seen) {
            lines.drainTo(seen);
            return String.join("\n", seen);
        }
    }

    /** Ends the process with SIGKILL: no shutdown hook, no commit, no clean close, as when a machine dies. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM with {@code kill}, as an operator or a container runtime would, and returns the exit code. */
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
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
