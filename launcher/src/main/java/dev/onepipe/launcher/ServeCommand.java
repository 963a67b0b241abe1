package dev.onepipe.launcher;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.http.HttpEndpointSettings;
import dev.onepipe.core.runtime.http.HttpUsers;
import dev.onepipe.core.runtime.http.OnepipeHttpServer;
import dev.onepipe.launcher.gateway.HttpGateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code onepipe serve}: the Schema-Registry-compatible API and the HTTP producer on one port, until Ctrl-C. See
 * {@link HttpGateway}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the Confluent-compatible Schema Registry API (backed by the metadata topic) and the HTTP producer",
            "(POST /datasets/<name>/records, REST Proxy v2 POST /topics/<topic>) on one HTTP port until Ctrl-C.",
            "Without --users-file it listens on 127.0.0.1 only. A request with an Idempotency-Key header is written in one Kafka",
            "transaction with its key (topic _onepipe_http_idempotency, kept 24 h), so its retries write nothing twice, also",
            "after a restart. GET /health, GET /metrics (Prometheus). Settings: onepipe.http.* (see the README)."})
final class ServeCommand implements Callable<Integer> {

    static final int DEFAULT_PORT = 8081;
    /** Threads serving requests: a produce request waits on Kafka's acknowledgements, so more than run's 2. */
    static final int THREADS = 16;

    @Option(names = "--http-port", paramLabel = "<port>",
            description = "Port to serve (onepipe.http.port; default " + DEFAULT_PORT + "; 0 picks a free one).")
    Integer httpPort;

    @Option(names = "--host", paramLabel = "<address>",
            description = "Address to listen on (onepipe.http.host; default 127.0.0.1, or every interface when users are configured).")
    String host;

    @Option(names = "--users-file", paramLabel = "<file>",
            description = "Users and roles (read, produce, register, admin), one 'name:bcrypt-hash:role,role' a line; turns on HTTP Basic"
                + " authentication (onepipe.http.users.file).")
    Path usersFile;

    @Option(names = "--tls-keystore", paramLabel = "<file.p12>",
            description = "Serve HTTPS with this PKCS12 keystore; its password comes from onepipe.http.tls.keystore.password"
                + " (environment ONEPIPE_HTTP_TLS_KEYSTORE_PASSWORD), never from a flag.")
    Path tlsKeystore;

    @Option(names = "--no-schema-registry", description = "Switch off the Schema Registry API.")
    boolean noSchemaRegistry;

    @Option(names = "--no-producer", description = "Switch off the HTTP producer.")
    boolean noProducer;

    @Option(names = "--hash-password", description = "Read a password from standard input, print its bcrypt hash for a users file, and exit.")
    boolean hashPassword;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (hashPassword) {
            String password = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            out.println(HttpUsers.hash(password.toCharArray()));
            out.flush();
            return 0;
        }
        Map<String, String> flags = new HashMap<>();
        if (httpPort != null) {
            flags.put(OnepipeHttpServer.PORT, httpPort.toString());
        }
        if (host != null) {
            flags.put(HttpEndpointSettings.HOST, host);
        }
        if (usersFile != null) {
            flags.put(HttpEndpointSettings.USERS_FILE, usersFile.toString());
        }
        if (tlsKeystore != null) {
            flags.put(HttpEndpointSettings.TLS_KEYSTORE, tlsKeystore.toString());
        }
        OnepipeConfig config = options.config(Map.of(OnepipeHttpServer.PORT, Integer.toString(DEFAULT_PORT))).with("serve flag", flags);
        HttpEndpointSettings settings = HttpEndpointSettings.from(config, THREADS);
        RegistryClientSettings client = RegistryClientSettings.from(options);
        HttpGateway gateway = HttpGateway.start(settings, client.clientConfig(), client.metadataTopic(), !noSchemaRegistry, !noProducer, config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "onepipe-serve-shutdown"));
        out.printf("onepipe serve: %s on %s%n", String.join(" and ", gateway.apis()), gateway.url());
        out.printf("  Kafka bootstrap:  %s (metadata topic %s)%n", client.clientConfig().get(OnepipeConfig.BOOTSTRAP_SERVERS),
                client.metadataTopic());
        out.printf("  Listening on:     %s%s%n", settings.address().getHostString(),
                settings.users().isEmpty() ? " (localhost only: no users configured)" : " (HTTP Basic, users " + settings.users().get().names() + ")");
        out.printf("  TLS:              %s%n", settings.tls() ? "yes" : "no");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }
}
