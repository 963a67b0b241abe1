package dev.onepipe.core.cli;

import java.util.Arrays;

/**
 * Quiet logs by default: the broker, S3Proxy and Jetty log a great deal at INFO and DEBUG. Must run before
 * the first logger is created, so it reads {@code --verbose} straight from the arguments.
 */
final class LogLevels {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private LogLevels() {
    }

    static void configure(String[] arguments) {
        boolean verbose = Arrays.stream(arguments).anyMatch(argument -> argument.equals("--verbose") || argument.equals("-v"));
        setIfAbsent("defaultLogLevel", verbose ? "info" : "warn");
        setIfAbsent("log.dev.onepipe", verbose ? "debug" : "info");
        // Kafka's own warnings about unused configs and retried connections are noise on the console.
        setIfAbsent("log.org.apache.kafka", verbose ? "info" : "error");
        setIfAbsent("log.kafka", verbose ? "info" : "error");
        // The embedded broker logs, as an ERROR with a stack trace, every retry of an idempotent batch refused because a
        // later batch reached a new partition first (OutOfOrderSequenceException). The producer does not recover that
        // batch: it retries until delivery.timeout.ms, then fails it, which only the send's callback or future reports.
        // So a producer writing to topics it has just created waits for their leaders and checks every send (YsbWorkload).
        setIfAbsent("log.kafka.server.ReplicaManager", verbose ? "info" : "off");
        setIfAbsent("log.org.gaul", verbose ? "info" : "error");
        setIfAbsent("log.org.eclipse.jetty", verbose ? "info" : "error");
        if (!verbose && Arrays.asList(arguments).contains("demo")) {
            // The demo prints its own progress; every application's state changes would drown it.
            setIfAbsent("log.dev.onepipe.core", "warn");
            setIfAbsent("log.dev.onepipe.metadata", "warn");
        }
        setIfAbsent("showDateTime", "true");
        setIfAbsent("dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("showThreadName", verbose ? "true" : "false");
        setIfAbsent("showShortLogName", "true");
        setIfAbsent("logFile", "System.err");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
