package dev.onepipe.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.runtime.http.HttpEndpointSettings;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.launcher.gateway.HttpGateway;
import dev.onepipe.metadata.MetadataTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code onepipe dev}: a local Kafka broker and S3 endpoint for other tools, until Ctrl-C. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = {"Start a real Kafka broker (KRaft) and a real S3 endpoint on this machine and keep them running until Ctrl-C.",
            "Prints the bootstrap address, S3 endpoint, bucket and credentials, and writes them to a properties file",
            "that other onepipe commands take with --config. Also serves the Schema Registry API and the HTTP producer",
            "(as 'onepipe serve' does) on localhost."})
final class DevCommand implements Callable<Integer> {

    static final String CONFIG_FILE_NAME = "onepipe-dev.properties";

    @Option(names = "--data-dir", paramLabel = "<dir>",
            description = "Keep broker and S3 data here between runs (default: a temporary folder removed on exit).")
    Path dataDirectory;

    @Option(names = "--bucket", defaultValue = EmbeddedRuntime.DEFAULT_BUCKET, paramLabel = "<bucket>",
            description = "Bucket to create (default: ${DEFAULT-VALUE}).")
    String bucket;

    @Option(names = "--http-port", defaultValue = "0", paramLabel = "<port>",
            description = "Port of the Schema Registry API and HTTP producer on 127.0.0.1 (default: a free port).")
    int httpPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        EmbeddedRuntime runtime = EmbeddedRuntime.start(Optional.ofNullable(dataDirectory), bucket);
        HttpGateway gateway;
        try {
            gateway = HttpGateway.start(HttpEndpointSettings.plain(new InetSocketAddress(HttpEndpointSettings.LOOPBACK, httpPort),
                    ServeCommand.THREADS), Map.of(OnepipeConfig.BOOTSTRAP_SERVERS, runtime.bootstrapServers()), MetadataTopic.DEFAULT_NAME,
                    true, true);
        } catch (RuntimeException | InterruptedException e) {
            runtime.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            runtime.close();
            stopped.countDown();
        }, "onepipe-dev-shutdown"));
        Path configFile = writeConfigFile(runtime);
        S3Settings s3 = runtime.s3Settings();
        out.printf("onepipe dev: started in %d ms%n", runtime.startupTime().toMillis());
        out.printf("  Kafka bootstrap:  %s%n", runtime.bootstrapServers());
        out.printf("  HTTP gateway:     %s (Schema Registry API and HTTP producer, localhost only)%n", gateway.url());
        out.printf("  S3 endpoint:      %s%n", s3.endpoint().orElseThrow());
        out.printf("  S3 bucket:        %s%n", s3.bucket());
        out.printf("  S3 access key:    %s%n", s3.accessKey().orElseThrow());
        out.printf("  S3 secret key:    %s%n", s3.secretKey().orElseThrow());
        out.printf("  S3 region:        %s (path-style addressing)%n", s3.region().orElseThrow());
        out.printf("  Kafka data:       %s%n", runtime.broker().dataDirectory());
        out.printf("  S3 data:          %s%n", runtime.s3().dataDirectory());
        out.printf("  Data kept:        %s%n", dataDirectory == null ? "no (temporary; use --data-dir to keep it)" : "yes");
        out.printf("  Client config:    %s%n", configFile);
        out.printf("%nTry:  kcat -b %s -L%n", runtime.bootstrapServers());
        out.printf("      ./onepipe run <topology> --dataset <name> --config %s%n", configFile);
        out.printf("      curl %s/subjects%n", gateway.url());
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }

    private static Path writeConfigFile(EmbeddedRuntime runtime) {
        Path folder = runtime.dataDirectory().orElse(runtime.broker().dataDirectory());
        Path file = folder.resolve(CONFIG_FILE_NAME);
        StringBuilder text = new StringBuilder("# Written by 'onepipe dev': how to reach the local pipeline.\n");
        for (Map.Entry<String, String> entry : runtime.clientConfig().entrySet()) {
            text.append(entry.getKey()).append('=').append(entry.getValue()).append('\n');
        }
        // one state root for every command given this file: Kafka Streams state and the clean tables' Iceberg catalog
        text.append(TopologyRunner.STATE_ROOT).append('=').append(folder.resolve("state")).append('\n');
        try {
            Files.writeString(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
        return file;
    }
}
