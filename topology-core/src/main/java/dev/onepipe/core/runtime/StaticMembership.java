package dev.onepipe.core.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static group membership (KIP-345) for a running topology, on by default: the main consumer gets a
 * {@code group.instance.id} that stays the same across restarts of the same instance, so an instance restarted after
 * SIGKILL takes its old place in the group at once instead of waiting for the dead member's session to expire
 * (measured with Kafka 4.3.1 on one 4-partition application: 1.7–2.5 s instead of 43–45 s, see the README).
 *
 * <p>The id is {@code <application id>-<host name>-<8 hex digits of the SHA-256 of the absolute state directory>};
 * Kafka Streams appends {@code -<thread index>} per stream thread. Two live instances must never share an id (the
 * broker fences one of them), so the instance also holds an OS file lock on {@code onepipe-instance.lock} in its state
 * directory for as long as it runs: a second live instance on the same host and state directory cannot take the lock
 * and runs as a dynamic member instead (with a warning). The lock goes with the process, SIGKILL included. While it
 * holds the lock, {@link UncleanShutdownRecovery} may delete task folders that a crash left without a checkpoint.
 *
 * <p>Not applied when {@value #ENABLED}{@code =false}, when a {@code group.instance.id} is configured (any of
 * {@code group.instance.id}, {@code consumer.group.instance.id}, {@code main.consumer.group.instance.id}), or with
 * {@code group.protocol=streams} (KIP-1071), which rejects instance ids.
 */
final class StaticMembership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StaticMembership.class);

    /** {@code onepipe.static.membership}: derive a stable {@code group.instance.id} (default {@code true}). */
    static final String ENABLED = "onepipe.static.membership";
    static final String LOCK_FILE = "onepipe-instance.lock";
    static final String MAIN_CONSUMER_INSTANCE_ID = StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    private static final List<String> CONFIGURED_INSTANCE_ID_KEYS = List.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
            StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), MAIN_CONSUMER_INSTANCE_ID);
    /** Kafka limits group instance ids to 249 characters; room is left for the thread suffix. */
    private static final int MAX_ID_LENGTH = 240;

    private final FileChannel channel;
    private final FileLock lock;

    private StaticMembership(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Sets {@code main.consumer.group.instance.id} in {@code properties} (which must hold {@code application.id} and
     * {@code state.dir}) unless static membership is off, already configured or impossible; returns the lock to hold
     * while the application runs (a no-op when nothing was set).
     *
     * @param enabled the value of {@value #ENABLED}
     */
    static StaticMembership apply(Properties properties, boolean enabled) {
        String applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        if (!enabled || CONFIGURED_INSTANCE_ID_KEYS.stream().anyMatch(properties::containsKey)
                || "streams".equalsIgnoreCase(String.valueOf(properties.getOrDefault(StreamsConfig.GROUP_PROTOCOL_CONFIG, "")))) {
            return new StaticMembership(null, null);
        }
        Path stateDirectory = Path.of(properties.getProperty(StreamsConfig.STATE_DIR_CONFIG)).toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(stateDirectory);
            channel = FileChannel.open(stateDirectory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                LOG.warn("{}: another live instance uses state directory {}; running as a dynamic group member (a restart after a crash"
                        + " waits for the session timeout). Give each instance its own onepipe.state.root.", applicationId, stateDirectory);
                return new StaticMembership(null, null);
            }
            String instanceId = instanceId(applicationId, hostName(), stateDirectory);
            properties.put(MAIN_CONSUMER_INSTANCE_ID, instanceId);
            LOG.info("{}: static group member {} (a restart rejoins at once; {}=false turns this off)", applicationId, instanceId, ENABLED);
            return new StaticMembership(channel, lock);
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            LOG.warn("{}: cannot lock {} in {} ({}); running as a dynamic group member", applicationId, LOCK_FILE, stateDirectory, e.toString());
            return new StaticMembership(null, null);
        }
    }

    /** The id for {@code applicationId} on {@code host} with {@code stateDirectory}, only characters Kafka accepts. */
    static String instanceId(String applicationId, String host, Path stateDirectory) {
        String id = applicationId + "-" + host.toLowerCase(Locale.ROOT) + "-" + shortHash(stateDirectory.toString());
        String legal = id.replaceAll("[^a-zA-Z0-9._-]", "_");
        return legal.length() <= MAX_ID_LENGTH ? legal : legal.substring(legal.length() - MAX_ID_LENGTH);
    }

    /** Whether this instance joined as a static member. */
    boolean isStatic() {
        return lock != null;
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : "localhost";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the lock goes with the channel; nothing else to release
            }
        }
    }

    /** Releases the state directory lock. */
    @Override
    public void close() {
        closeQuietly(channel);
    }
}
