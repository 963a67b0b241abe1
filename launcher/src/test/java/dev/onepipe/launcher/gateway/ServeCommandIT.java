package dev.onepipe.launcher.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onepipe.core.runtime.http.HttpEndpointSettings;
import dev.onepipe.core.runtime.http.HttpUsers;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onepipe serve} against the real embedded broker, driven by clients onepipe did not write: curl, kcat, and
 * Node.js with {@code @kafkajs/confluent-schema-registry} and {@code kafkajs}. Expected values are the hand-written
 * fixtures below, never computed by the code under test.
 */
class ServeCommandIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final String METADATA_TOPIC = "_onepipe_metadata_gateway";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static final String GIZMO_V1 = "{\"type\":\"record\",\"name\":\"Gizmo\",\"namespace\":\"dev.onepipe.it\",\"fields\":["
            + "{\"name\":\"gizmo_id\",\"type\":\"string\"},"
            + "{\"name\":\"price\",\"type\":[\"null\",\"double\"],\"default\":null},"
            + "{\"name\":\"quantity\",\"type\":\"long\"}]}";
    /** A new required field without a default: data written with version 1 cannot be read, BACKWARD breaks. */
    private static final String GIZMO_INCOMPATIBLE = GIZMO_V1.replace("]}", ",{\"name\":\"color\",\"type\":\"string\"}]}");

    @TempDir
    static Path folder;

    private static Map<String, Object> clientConfig;

    @BeforeAll
    static void clientConfig() {
        clientConfig = new HashMap<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()));
    }

    private static HttpGateway start(HttpEndpointSettings settings) throws InterruptedException {
        return HttpGateway.start(settings, clientConfig, METADATA_TOPIC, true, true);
    }

    private static HttpEndpointSettings loopback() {
        return HttpEndpointSettings.plain(new InetSocketAddress(HttpEndpointSettings.LOOPBACK, 0), 8);
    }

    @Test
    void nodeSchemaRegistryClientRegistersAndKafkajsReadsAndWritesWithTheIdsOnepipeServes() throws Exception {
        Path nodeClients = nodeClients();
        createTopic("gizmos");
        try (HttpGateway gateway = start(loopback())) {
            Path schemaFile = Files.writeString(folder.resolve("gizmo.avsc"), GIZMO_V1);
            Files.writeString(folder.resolve("gizmo.avsc.sample.json"), "{\"gizmo_id\":\"g-0\",\"price\":1.25,\"quantity\":3}");
            JsonNode registered = node(nodeClients, "register", gateway.url(), "gizmos-value", schemaFile.toString());
            int id = registered.path("id").asInt(-1);
            try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, METADATA_TOPIC)) {
                assertEquals(id, registry.catalog().latestSchemaVersion("gizmos-value").orElseThrow().id(), registered.toString());
                assertEquals(id, registered.path("latest").asInt(), registered.toString());
                assertEquals(List.of(0, 0, 0, 0, id), ints(registered.path("encodedHeader")), "Confluent wire format header");
                assertEquals("{\"gizmo_id\":\"g-0\",\"price\":1.25,\"quantity\":3}", registered.path("decoded").toString());

                Path incompatibleFile = Files.writeString(folder.resolve("gizmo-bad.avsc"), GIZMO_INCOMPATIBLE);
                Files.writeString(folder.resolve("gizmo-bad.avsc.sample.json"), "{}");
                JsonNode refused = node(nodeClients, "register", gateway.url(), "gizmos-value", incompatibleFile.toString());
                assertEquals(409, refused.path("status").asInt(), refused.toString());
                assertTrue(refused.path("message").asText().contains("field 'color'"), refused.toString());
                assertTrue(refused.path("message").asText().contains("must declare a default"), refused.toString());

                RegistrationResult dataset = registry.register(RegistrationRequest.metadata(DatasetMetadata.builder("gizmos")
                        .topic("gizmos").uniqueKey("gizmo_id").build()));
                assertTrue(dataset.accepted(), dataset.summary());
            }

            HttpResult produced = curl("-X", "POST", gateway.url() + "/datasets/gizmos/records", "-H", "Content-Type: application/json",
                    "--data-binary", "[{\"gizmo_id\":\"g-1\",\"price\":2.5,\"quantity\":1},{\"gizmo_id\":\"g-2\",\"quantity\":7}]");
            assertEquals(200, produced.status(), produced.body());
            assertEquals(2, produced.json().path("offsets").size(), produced.body());
            assertEquals(id, produced.json().path("value_schema_id").asInt());

            Path records = Files.writeString(folder.resolve("node-records.json"),
                    "[{\"key\":\"g-3\",\"value\":{\"gizmo_id\":\"g-3\",\"price\":null,\"quantity\":5}}]");
            JsonNode nodeProduced = node(nodeClients, "produce", gateway.url(), RUNTIME.bootstrapServers(), "gizmos", "gizmos-value",
                    records.toString());
            assertEquals(1, nodeProduced.path("sent").asInt(), nodeProduced.toString());

            JsonNode consumed = node(nodeClients, "consume", gateway.url(), RUNTIME.bootstrapServers(), "gizmos", "3");
            Map<String, String> decodedByKey = new TreeMap<>();
            for (JsonNode record : consumed.path("records")) {
                assertEquals(id, record.path("schemaId").asInt(), record.toString());
                decodedByKey.put(record.path("key").asText(), record.path("value").toString());
            }
            assertEquals(Map.of(
                    "g-1", "{\"gizmo_id\":\"g-1\",\"price\":2.5,\"quantity\":1}",
                    "g-2", "{\"gizmo_id\":\"g-2\",\"price\":null,\"quantity\":7}",
                    "g-3", "{\"gizmo_id\":\"g-3\",\"price\":null,\"quantity\":5}"), decodedByKey);

            Map<String, String> readByOnepipe = readWithOnepipe("gizmos", 3);
            assertEquals(Map.of(
                    "g-1", "{\"gizmo_id\": \"g-1\", \"price\": 2.5, \"quantity\": 1}",
                    "g-2", "{\"gizmo_id\": \"g-2\", \"price\": null, \"quantity\": 7}",
                    "g-3", "{\"gizmo_id\": \"g-3\", \"price\": null, \"quantity\": 5}"), readByOnepipe);
        }
    }

    @Test
    void curlProducesAndKcatReadsExactlyTheAcceptedRecords() throws Exception {
        assumeTrue(onPath("kcat"), "kcat is not installed (apt-get install kcat); .ci/run installs it");
        createTopic("widgets-http");
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, METADATA_TOPIC)) {
            RegistrationResult result = registry.register(RegistrationRequest.dataset(DatasetMetadata.builder("widgets-http")
                    .topic("widgets-http").uniqueKey("gizmo_id").build(), GIZMO_V1));
            assertTrue(result.accepted(), result.summary());
        }
        try (HttpGateway gateway = start(loopback())) {
            String records = gateway.url() + "/datasets/widgets-http/records";
            HttpResult malformed = curl("-X", "POST", records, "-H", "Content-Type: application/json", "--data-binary", "[{\"gizmo_id\":");
            assertEquals(400, malformed.status(), malformed.body());
            assertEquals(400, malformed.json().path("error_code").asInt());

            HttpResult invalid = curl("-X", "POST", records, "-H", "Content-Type: application/x-ndjson", "--data-binary",
                    "{\"gizmo_id\":\"w-1\",\"quantity\":1}\n{\"gizmo_id\":\"w-2\",\"quantity\":\"many\"}\n{\"quantity\":3}\n");
            assertEquals(422, invalid.status(), invalid.body());
            JsonNode errors = invalid.json().path("errors");
            assertEquals(2, errors.size(), invalid.body());
            assertEquals(1, errors.get(0).path("index").asInt());
            assertEquals("quantity", errors.get(0).path("field").asText());
            assertEquals(2, errors.get(1).path("index").asInt());
            assertEquals("gizmo_id", errors.get(1).path("field").asText());

            assertEquals(404, curl("-X", "POST", gateway.url() + "/datasets/nope/records", "-H", "Content-Type: application/json",
                    "--data-binary", "[{}]").status());
            assertEquals(415, curl("-X", "POST", records, "-H", "Content-Type: text/csv", "--data-binary", "a,b").status());

            HttpResult lines = curl("-X", "POST", records, "-H", "Content-Type: application/x-ndjson", "--data-binary",
                    "{\"gizmo_id\":\"w-1\",\"quantity\":1}\n{\"gizmo_id\":\"w-2\",\"price\":9.5,\"quantity\":2}\n");
            assertEquals(200, lines.status(), lines.body());
            HttpResult restProxy = curl("-X", "POST", gateway.url() + "/topics/widgets-http", "-H",
                    "Content-Type: application/vnd.kafka.json.v2+json", "--data-binary",
                    "{\"records\":[{\"value\":{\"gizmo_id\":\"w-3\",\"quantity\":3}}]}");
            assertEquals(200, restProxy.status(), restProxy.body());
            assertEquals(1, restProxy.json().path("offsets").size(), restProxy.body());
            assertTrue(restProxy.json().path("offsets").get(0).path("error_code").isNull(), restProxy.body());
            int id = restProxy.json().path("value_schema_id").asInt();
            HttpResult avro = curl("-X", "POST", gateway.url() + "/topics/widgets-http", "-H",
                    "Content-Type: application/vnd.kafka.avro.v2+json", "--data-binary",
                    "{\"value_schema_id\":" + id + ",\"records\":[{\"value\":{\"gizmo_id\":\"w-4\",\"price\":{\"double\":4.5},\"quantity\":4}}]}");
            assertEquals(200, avro.status(), avro.body());
            HttpResult avroWithoutSchema = curl("-X", "POST", gateway.url() + "/topics/widgets-http", "-H",
                    "Content-Type: application/vnd.kafka.avro.v2+json", "--data-binary", "{\"records\":[{\"value\":{\"gizmo_id\":\"w-5\"}}]}");
            assertEquals(422, avroWithoutSchema.status(), avroWithoutSchema.body());
            assertEquals(42202, avroWithoutSchema.json().path("error_code").asInt());
            assertEquals(404, curl("-X", "POST", gateway.url() + "/topics/not-a-dataset", "-H",
                    "Content-Type: application/vnd.kafka.json.v2+json", "--data-binary", "{\"records\":[{\"value\":{}}]}").status());

            Process kcat = new ProcessBuilder("kcat", "-b", RUNTIME.bootstrapServers(), "-C", "-t", "widgets-http", "-o", "beginning",
                    "-e", "-q", "-f", "%k\\n").redirectErrorStream(true).start();
            assertTrue(kcat.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "kcat did not finish");
            String keys = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(List.of("w-1", "w-2", "w-3", "w-4"), keys.lines().filter(line -> !line.isBlank()).sorted().toList(), keys);

            assertEquals(Map.of(
                    "w-1", "{\"gizmo_id\": \"w-1\", \"price\": null, \"quantity\": 1}",
                    "w-2", "{\"gizmo_id\": \"w-2\", \"price\": 9.5, \"quantity\": 2}",
                    "w-3", "{\"gizmo_id\": \"w-3\", \"price\": null, \"quantity\": 3}",
                    "w-4", "{\"gizmo_id\": \"w-4\", \"price\": 4.5, \"quantity\": 4}"), readWithOnepipe("widgets-http", 4));

            HttpResult subjects = curl(gateway.url() + "/subjects");
            assertEquals(200, subjects.status());
            assertTrue(subjects.body().contains("\"widgets-http-value\""), subjects.body());
            HttpResult missing = curl(gateway.url() + "/subjects/nothing-value/versions/latest");
            assertEquals(404, missing.status());
            assertEquals(40401, missing.json().path("error_code").asInt());
            HttpResult noVersion = curl(gateway.url() + "/subjects/widgets-http-value/versions/99");
            assertEquals(40402, noVersion.json().path("error_code").asInt());
            HttpResult noSchema = curl(gateway.url() + "/schemas/ids/99999");
            assertEquals(40403, noSchema.json().path("error_code").asInt());
            HttpResult badSchema = curl("-X", "POST", gateway.url() + "/subjects/other-value/versions", "-H",
                    "Content-Type: application/vnd.schemaregistry.v1+json", "--data-binary", "{\"schema\":\"{\\\"type\\\":\\\"nope\\\"}\"}");
            assertEquals(422, badSchema.status(), badSchema.body());
            assertEquals(42201, badSchema.json().path("error_code").asInt());
        }
    }

    @Test
    void usersAndRolesGuardEveryWriteAndTheDefaultIsLocalhostOnly() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> start(HttpEndpointSettings.plain(new InetSocketAddress("0.0.0.0", 0), 2)),
                "no users: writing endpoints must not listen beyond the loopback interface");
        HttpEndpointSettings defaults = HttpEndpointSettings.from(dev.onepipe.core.config.OnepipeConfig.of(Map.of()), 2);
        assertTrue(defaults.loopbackOnly(), defaults.toString());

        Path users = Files.writeString(folder.resolve("users"), "reader:" + HttpUsers.hash("r-secret".toCharArray()) + ":read\n"
                + "writer:" + HttpUsers.hash("w-secret".toCharArray()) + ":produce,read\n");
        HttpEndpointSettings secured = HttpEndpointSettings.from(dev.onepipe.core.config.OnepipeConfig.of(Map.of(
                HttpEndpointSettings.USERS_FILE, users.toString(), HttpEndpointSettings.HOST, "0.0.0.0")), 4);
        try (HttpGateway gateway = start(secured)) {
            String subjects = gateway.url() + "/subjects";
            HttpResult anonymous = curl(subjects);
            assertEquals(401, anonymous.status(), anonymous.body());
            assertEquals(401, curl("-u", "reader:wrong", subjects).status());
            assertEquals(200, curl("-u", "reader:r-secret", subjects).status());
            assertEquals(200, curl("--max-time", "30", gateway.url() + "/health").status(), "health stays open for load balancers");

            String register = gateway.url() + "/subjects/guarded-value/versions";
            String body = "{\"schema\":" + JSON.writeValueAsString(GIZMO_V1) + "}";
            HttpResult readerRegisters = curl("-u", "reader:r-secret", "-X", "POST", register, "-H",
                    "Content-Type: application/vnd.schemaregistry.v1+json", "--data-binary", body);
            assertEquals(403, readerRegisters.status(), readerRegisters.body());
            assertEquals(40301, readerRegisters.json().path("error_code").asInt());
            HttpResult readerProduces = curl("-u", "reader:r-secret", "-X", "POST", gateway.url() + "/datasets/gizmos/records", "-H",
                    "Content-Type: application/json", "--data-binary", "[]");
            assertEquals(403, readerProduces.status(), readerProduces.body());
            HttpResult writerRegisters = curl("-u", "writer:w-secret", "-X", "POST", register, "-H",
                    "Content-Type: application/vnd.schemaregistry.v1+json", "--data-binary", body);
            assertEquals(403, writerRegisters.status(), "produce does not include register");
        }
    }

    @Test
    void httpsWithCurlCacert() throws Exception {
        Path keystore = folder.resolve("server.p12");
        run(List.of(javaTool("keytool"), "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "store-secret", "-keypass", "store-secret"));
        Path certificate = folder.resolve("server.pem");
        run(List.of(javaTool("keytool"), "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", "store-secret", "-file", certificate.toString()));
        HttpEndpointSettings tls = HttpEndpointSettings.from(dev.onepipe.core.config.OnepipeConfig.of(Map.of(
                HttpEndpointSettings.TLS_KEYSTORE, keystore.toString(), HttpEndpointSettings.TLS_KEYSTORE_PASSWORD, "store-secret")), 2);
        try (HttpGateway gateway = start(tls)) {
            assertTrue(gateway.url().startsWith("https://localhost:"), gateway.url());
            HttpResult trusted = curl("--cacert", certificate.toString(), gateway.url() + "/schemas/types");
            assertEquals(200, trusted.status(), trusted.body());
            assertEquals("[\"AVRO\"]", trusted.body());
            HttpResult untrusted = curl(gateway.url() + "/schemas/types");
            assertEquals(0, untrusted.status(), "curl refuses a certificate it cannot verify");
        }
    }

    @Test
    void tooLargeAndTooManyBytesInFlight() throws Exception {
        HttpEndpointSettings small = new HttpEndpointSettings(new InetSocketAddress(HttpEndpointSettings.LOOPBACK, 0), Optional.empty(),
                Optional.empty(), Optional.empty(), 1024, 1024, 2);
        try (HttpGateway gateway = start(small)) {
            HttpResult tooLarge = curl("-X", "POST", gateway.url() + "/datasets/gizmos/records", "-H", "Content-Type: application/json",
                    "--data-binary", "[" + "{\"gizmo_id\":\"x\",\"quantity\":1},".repeat(100) + "{}]");
            assertEquals(413, tooLarge.status(), tooLarge.body());
            assertEquals(413, tooLarge.json().path("error_code").asInt());
        }
    }

    // ---- real clients -------------------------------------------------------------------------------------------

    record HttpResult(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** curl's status code and body; status 0 when curl could not complete the exchange (e.g. TLS refused). */
    private static HttpResult curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-o", "-", "-w", "\n%{http_code}"));
        command.addAll(List.of(arguments));
        Path errors = Files.createTempFile(folder, "curl", ".err");
        Process curl = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "curl did not finish");
        int newline = output.lastIndexOf('\n');
        int status = Integer.parseInt(output.substring(newline + 1).trim());
        return new HttpResult(status, status == 0 ? Files.readString(errors) : output.substring(0, newline));
    }

    /** Installs the Node clients once (npm ci from the committed lock file) into target/node-clients. */
    private static Path nodeClients() throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "Node.js is not installed (apt-get install nodejs npm); .ci/run installs it");
        Path source = Path.of("src/test/resources/node-clients");
        Path target = Path.of("target/node-clients");
        Files.createDirectories(target);
        for (String file : List.of("package.json", "package-lock.json", "schema-registry-client.js")) {
            Files.copy(source.resolve(file), target.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(target.resolve("node_modules/@kafkajs/confluent-schema-registry"))
                || !Files.isDirectory(target.resolve("node_modules/kafkajs"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"), target);
        }
        return target;
    }

    private static JsonNode node(Path clients, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "schema-registry-client.js"));
        command.addAll(List.of(arguments));
        String output = run(command, clients);
        String last = output.lines().filter(line -> line.startsWith("{")).reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("node printed no result:\n" + output));
        return JSON.readTree(last);
    }

    private static String run(List<String> command) throws Exception {
        return run(command, folder);
    }

    private static String run(List<String> command, Path directory) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        byte[] output;
        try (InputStream input = process.getInputStream()) {
            output = input.readAllBytes();
        }
        assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), command + " did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), command + " failed:\n" + text);
        return text;
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static boolean onPath(String program) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }

    // ---- the broker -----------------------------------------------------------------------------------------------

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Every record of {@code topic}, decoded by onepipe's deserializer, by key. */
    private static Map<String, String> readWithOnepipe(String topic, int expected) throws Exception {
        MetadataCatalog catalog;
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, METADATA_TOPIC)) {
            catalog = registry.catalog();
        }
        String dataset = catalog.datasetForTopic(topic).orElseThrow().name();
        DatasetDeserializer<GenericRecord> deserializer = DatasetDeserializer.readingAsWritten(catalog, dataset, Duration.ofSeconds(2));
        Map<String, String> values = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            int read = 0;
            while (read < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                    values.put(new String(record.key(), StandardCharsets.UTF_8), deserializer.deserialize(topic, record.value()).toString());
                }
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long total = ends.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(expected, total, "records on " + topic + ": nothing written twice, nothing written for a refused request");
        }
        return values;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asInt()));
        return values;
    }
}
