package dev.onepipe.core.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a per-topology jar ({@code target/onepipe-<module>.jar}) must not carry: the in-process Kafka broker (its
 * Scala {@code kafka.*} server, {@code org.apache.kafka.server}, raft, metadata, storage), Scala, S3Proxy and the
 * jclouds it runs on (with the Jetty it shades inside), JUnit, {@code TopologyTestDriver} and onepipe's own embedded
 * runtime and test kit. A plain Jetty is not forbidden: an HTTP server of the runner may use one. Only the
 * launcher's jar, which runs {@code dev}, {@code demo} and {@code bench}, carries those. Each topology module's
 * {@code TopologyJarIT} checks its jar with this class during {@code verify}.
 */
public final class TopologyJarContents {

    /** Entry name prefixes (paths in the jar) that a per-topology jar must not contain. */
    public static final List<String> FORBIDDEN = List.of(
            "kafka/",
            "scala/",
            "org/apache/kafka/server/",
            "org/apache/kafka/raft/",
            "org/apache/kafka/snapshot/",
            "org/apache/kafka/metadata/",
            "org/apache/kafka/common/metadata/",
            "org/apache/kafka/controller/",
            "org/apache/kafka/image/",
            "org/apache/kafka/storage/",
            "org/apache/kafka/streams/TopologyTestDriver",
            "org/apache/kafka/streams/TestInputTopic",
            "org/apache/kafka/streams/TestOutputTopic",
            "org/apache/kafka/streams/test/",
            "org/gaul/",
            "org/jclouds/",
            "org/junit/",
            "dev/onepipe/core/embedded/",
            "dev/onepipe/core/testkit/");

    /**
     * Packages under a forbidden prefix that belong to {@code kafka-clients} itself (the plug-in interfaces a client
     * may load: authorizer, policy, quota, telemetry), so they are allowed.
     */
    public static final List<String> ALLOWED = List.of(
            "org/apache/kafka/server/authorizer/",
            "org/apache/kafka/server/policy/",
            "org/apache/kafka/server/quota/",
            "org/apache/kafka/server/telemetry/");

    private TopologyJarContents() {
    }

    /**
     * The forbidden prefixes under which {@code jar} holds classes, one line each with its entry count and a first entry, e.g.
     * {@code "kafka/ (2315 entries, e.g. kafka/Kafka.class)"}; empty when the jar is clean.
     *
     * @throws IOException if the jar cannot be read
     */
    public static List<String> forbiddenEntries(Path jar) throws IOException {
        Map<String, List<String>> found = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                // Classes only: kafka-clients itself carries kafka/kafka-version.properties, and folders are empty names.
                if (!name.endsWith(".class")) {
                    continue;
                }
                forbiddenPrefix(name).ifPresent(prefix -> found.computeIfAbsent(prefix, p -> new ArrayList<>()).add(name));
            }
        }
        List<String> lines = new ArrayList<>();
        found.forEach((prefix, names) -> lines.add(String.format(Locale.ROOT, "%s (%d entries, e.g. %s)", prefix, names.size(), names.get(0))));
        return lines;
    }

    private static Optional<String> forbiddenPrefix(String entry) {
        if (ALLOWED.stream().anyMatch(entry::startsWith)) {
            return Optional.empty();
        }
        return FORBIDDEN.stream().filter(entry::startsWith).findFirst();
    }
}
