package dev.onepipe.core.testing;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.onepipe.core.embedded.EmbeddedRuntime;
import dev.onepipe.core.s3.S3ClientFactory;
import dev.onepipe.core.s3.S3Settings;
import dev.onepipe.metadata.PartitionLeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Gives an integration test class a real Kafka broker and a real S3 endpoint with a bucket of its own,
 * started once before the class's first test and removed after its last.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();
 *
 * @Test
 * void archives() {
 *     RUNTIME.createTopic("widgets", 4);
 *     ... RUNTIME.bootstrapServers() ... RUNTIME.s3Settings() ...
 * }
 * }</pre>
 *
 * Test methods may also take an {@link EmbeddedRuntime} parameter.
 */
public final class EmbeddedRuntimeExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final AtomicInteger names = new AtomicInteger();
    private EmbeddedRuntime runtime;
    private Admin admin;
    private String bucket;

    @Override
    public void beforeAll(ExtensionContext context) {
        bucket = bucketName(context.getRequiredTestClass().getSimpleName());
        runtime = EmbeddedRuntime.start(java.util.Optional.empty(), bucket);
        admin = Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (admin != null) {
                admin.close();
            }
        } finally {
            if (runtime != null) {
                runtime.close();
            }
            runtime = null;
            admin = null;
        }
    }

    static String bucketName(String className) {
        String name = className.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        name = ("it-" + name).replaceAll("-+$", "");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedRuntime.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return runtime();
    }

    public EmbeddedRuntime runtime() {
        if (runtime == null) {
            throw new IllegalStateException("The embedded runtime runs only between the test class's @BeforeAll and @AfterAll;"
                    + " register this extension on a static field");
        }
        return runtime;
    }

    public String bootstrapServers() {
        return runtime().bootstrapServers();
    }

    /** The S3 settings of this class's own bucket. */
    public S3Settings s3Settings() {
        return runtime().s3Settings();
    }

    /** A new S3 client of this class's bucket's endpoint; the caller closes it. */
    public S3Client newS3Client() {
        return S3ClientFactory.create(s3Settings());
    }

    public String bucket() {
        return bucket;
    }

    public Admin admin() {
        runtime();
        return admin;
    }

    /** Client configuration for this runtime: bootstrap servers and S3 settings. */
    public Properties clientProperties() {
        Properties properties = new Properties();
        properties.putAll(runtime().clientConfig());
        return properties;
    }

    /** A name no other test of this class has used, for topics, application ids and folders. */
    public String uniqueName(String prefix) {
        return prefix + "-" + names.incrementAndGet();
    }

    /** Creates a topic with {@code partitions} partitions and waits until it exists. */
    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    public void createTopic(String topic, int partitions, Map<String, String> config) {
        try {
            admin().createTopics(Set.of(new NewTopic(topic, partitions, (short) 1).configs(config))).all().get();
            PartitionLeaders.await(admin(), Set.of(topic));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
