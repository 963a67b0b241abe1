package dev.onepipe.launcher;

import dev.onepipe.core.testing.OnepipeProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code onepipe dev} in its own process is a pipeline other programs can use. */
class DevCommandIT {

    private static final Duration STARTUP = Duration.ofSeconds(180);

    @Test
    void otherProcessesReachTheBrokerAndTheDataFolderIsKept(@TempDir Path dataDirectory) throws Exception {
        try (OnepipeProcess dev = OnepipeProcess.start("dev", "--data-dir", dataDirectory.toString())) {
            String bootstrap = value(dev.awaitLine(line -> line.contains("Kafka bootstrap:"), STARTUP)
                    .orElseThrow(() -> new AssertionError("no bootstrap address printed:\n" + dev.output())));
            String gateway = value(dev.awaitLine(line -> line.contains("HTTP gateway:"), STARTUP)
                    .orElseThrow(() -> new AssertionError("no HTTP gateway printed:\n" + dev.output()))).split(" ")[0];
            dev.awaitLine(line -> line.contains("Press Ctrl-C"), STARTUP).orElseThrow();
            assertTrue(gateway.startsWith("http://localhost:"), gateway);
            HttpResponse<String> subjects = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway + "/subjects")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, subjects.statusCode(), subjects.body());
            assertEquals("application/vnd.schemaregistry.v1+json", subjects.headers().firstValue("Content-Type").orElse(""));

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
            Path configFile = dataDirectory.resolve(DevCommand.CONFIG_FILE_NAME);
            Properties written = new Properties();
            written.load(Files.newBufferedReader(configFile));
            assertEquals(bootstrap, written.getProperty("bootstrap.servers"));
            assertTrue(written.getProperty("onepipe.s3.endpoint").startsWith("http://127.0.0.1:"));
            assertEquals(dataDirectory.resolve("state").toString(), written.getProperty("onepipe.state.root"),
                    "commands given this file share one state root (and so one clean-table catalog)");

            assertEquals(143, dev.terminate(Duration.ofSeconds(60)), "SIGTERM ends dev through its shutdown hook");
        }
        assertTrue(Files.exists(dataDirectory.resolve("kraft-logs").resolve("meta.properties")), "data folder kept");
    }

    @Test
    void kcatListsTheBroker() throws Exception {
        assumeTrue(onPath("kcat"), "kcat is not installed (apt-get install kcat)");
        try (OnepipeProcess dev = OnepipeProcess.start("dev")) {
            String bootstrap = value(dev.awaitLine(line -> line.contains("Kafka bootstrap:"), STARTUP)
                    .orElseThrow(() -> new AssertionError("no bootstrap address printed:\n" + dev.output())));
            Process kcat = new ProcessBuilder("kcat", "-b", bootstrap, "-L", "-m", "10").redirectErrorStream(true).start();
            assertTrue(kcat.waitFor(30, TimeUnit.SECONDS), "kcat did not answer");
            String listing = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, kcat.exitValue(), listing);
            assertTrue(listing.contains("1 brokers:"), listing);
            assertTrue(listing.contains(bootstrap), listing);
            dev.terminate(Duration.ofSeconds(60));
        }
    }

    private static String value(String line) {
        return line.substring(line.indexOf(':') + 1).trim();
    }

    private static boolean onPath(String program) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, program))) {
                return true;
            }
        }
        return false;
    }
}
