package dev.onepipe.metadata;

import java.util.HashMap;
import java.util.Map;

/**
 * One in-process broker for every integration test in the JVM (failsafe runs them in one fork): starting a broker
 * costs seconds, and each test uses its own topics.
 */
public final class SharedKafkaBroker {

    private static InProcessKafkaBroker broker;

    private SharedKafkaBroker() {
    }

    public static synchronized String bootstrapServers() {
        if (broker == null) {
            try {
                broker = InProcessKafkaBroker.start();
            } catch (final Exception exception) {
                throw new IllegalStateException("Could not start the in-process Kafka broker", exception);
            }
            final InProcessKafkaBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (final Exception exception) {
                    exception.printStackTrace();
                }
            }));
        }
        return broker.bootstrapServers();
    }

    /** Client settings pointing at the shared broker. */
    public static Map<String, Object> clientConfig() {
        final Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrapServers());
        return config;
    }
}
