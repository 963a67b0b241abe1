package dev.onepipe.core.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.config.KafkaClientSettings;
import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.deadletter.DeadLetterDeserializationExceptionHandler;
import dev.onepipe.core.deadletter.DeadLetterProcessingExceptionHandler;
import dev.onepipe.core.deadletter.DeadLetterProductionExceptionHandler;
import dev.onepipe.core.deadletter.DeadLetterTopics;
import dev.onepipe.core.runtime.health.ProgressWatch;
import dev.onepipe.core.runtime.health.TopologyHealth;
import dev.onepipe.metadata.MetadataGlobalStore;
import dev.onepipe.metadata.MetadataTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link OnepipeTopology} as a {@link KafkaStreams} application: exactly-once v2 by default, a
 * state directory per application, failed stream threads replaced (their cause logged once) until
 * {@link ProgressWatch}'s policy stops an application that makes no progress, stopped at once when a topic it reads
 * or writes is deleted under it ({@link dev.onepipe.core.runtime.health.TopicDeletionWatch}), and a bounded close.
 */
public final class TopologyRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopologyRunner.class);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    public static final String STATE_ROOT = "onepipe.state.root";

    private final TopologyContext context;
    private final KafkaStreams streams;
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
    private final CountDownLatch running = new CountDownLatch(1);
    private final List<KafkaStreams.State> stateHistory = new CopyOnWriteArrayList<>();
    private final StaticMembership membership;
    private final Properties properties;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ProgressWatch progress;
    private final FailedThreadMembers failedThreadMembers;
    private final DeletedTopicCheck deletedTopics;

    private TopologyRunner(TopologyContext context, Topology topology, Properties properties, StaticMembership membership) {
        this.context = context;
        this.membership = membership;
        this.streams = new KafkaStreams(topology, properties);
        this.properties = properties;
        this.progress = ProgressWatch.configured(context.applicationId(), context.config(), streams::metrics);
        this.failedThreadMembers = membership.isStatic()
                ? FailedThreadMembers.removing(context.applicationId(), properties.getProperty(StaticMembership.MAIN_CONSUMER_INSTANCE_ID),
                        () -> Admin.create(KafkaClientSettings.admin(context.config())))
                : FailedThreadMembers.NONE;
        this.deletedTopics = DeletedTopicCheck.configured(context.applicationId(), context.config(), topology.describe(),
                () -> Admin.create(KafkaClientSettings.admin(context.config())), this::onTopicDeleted);
        streams.setStateListener(this::onStateChange);
        streams.setUncaughtExceptionHandler(this::onUncaughtException);
    }

    /**
     * The configuration a topology runs with: onepipe's defaults and the topology's own settings' defaults,
     * then {@code layers} in order (file, environment, flags).
     */
    public static OnepipeConfig configure(OnepipeTopology topology, Map<String, String> fileLayer,
                                          Map<String, String> environmentLayer, Map<String, String> flagLayer) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        for (TopologySetting setting : topology.settings()) {
            setting.defaultValue().ifPresent(value -> defaults.put(setting.key(), value));
        }
        return OnepipeConfig.builder()
                .layer("default", defaults)
                .layer("file", fileLayer)
                .layer("environment", environmentLayer)
                .layer("flag", flagLayer)
                .build();
    }

    /** The Kafka Streams properties for {@code context}: its configuration plus the application id and state dir. */
    public static Properties streamsProperties(TopologyContext context) {
        Properties properties = context.config().kafkaProperties();
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, context.config().bootstrapServers());
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, context.applicationId());
        properties.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // the catalog must never see an aborted registration, also when a user picks at-least-once
        properties.putAll(MetadataGlobalStore.requiredStreamsConfig());
        properties.putIfAbsent(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        properties.putIfAbsent(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        // Bad records go to <topic>.dlq rather than stopping the application (see dev.onepipe.core.deadletter).
        properties.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationExceptionHandler.class.getName());
        properties.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionExceptionHandler.class.getName());
        properties.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingExceptionHandler.class.getName());
        // The handler fails on anything but a DeadLetterException, so enabling it for global stores changes nothing
        // but Kafka's warning that it is off.
        properties.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        // Kafka Streams already nests state under state.dir/<application.id>; giving each application its own
        // root as well keeps two onepipe applications on one machine from sharing a lock directory.
        String stateRoot = context.config().get(STATE_ROOT,
                Path.of(System.getProperty("java.io.tmpdir"), "onepipe-state").toString());
        properties.putIfAbsent(StreamsConfig.STATE_DIR_CONFIG, Path.of(stateRoot, context.applicationId()).toString());
        return properties;
    }

    /** Builds the topology for {@code context} without running it, e.g. for {@code TopologyTestDriver}. */
    public static Topology buildTopology(OnepipeTopology topology, TopologyContext context) {
        return buildTopology(topology, context, streamsProperties(context));
    }

    /**
     * Every topology reads the metadata topic as a global store that keeps {@code context.catalog()} current,
     * then adds its own processing.
     */
    private static Topology buildTopology(OnepipeTopology topology, TopologyContext context, Properties properties) {
        StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(properties)));
        MetadataGlobalStore.addTo(builder, context.metadataTopic(), context.catalog());
        topology.addTo(builder, context);
        return builder.build(properties);
    }

    /**
     * Provisions ({@link OnepipeTopology#provision}), builds and starts {@code topology}; returns once Kafka Streams has
     * been started (not yet RUNNING).
     */
    public static TopologyRunner start(OnepipeTopology topology, TopologyContext context) {
        Properties properties = streamsProperties(context);
        ensureMetadataTopic(context);
        provision(topology, context);
        Topology built = buildTopology(topology, context, properties);
        ensureDeadLetterTopics(context, built);
        // After building: the topology itself does not depend on the instance id, and a failed build takes no lock.
        StaticMembership membership = StaticMembership.apply(properties, context.config().getBoolean(StaticMembership.ENABLED, true));
        UncleanShutdownRecovery.prepare(properties, membership.isStatic(), () -> Admin.create(KafkaClientSettings.admin(context.config())));
        TopologyRunner runner;
        try {
            runner = new TopologyRunner(context, built, properties, membership);
        } catch (RuntimeException e) {
            membership.close();
            throw e;
        }
        LOG.info("Starting {} for {} as application {} on {}", topology.name(), context.target(), context.applicationId(),
                properties.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        runner.streams.start();
        runner.deletedTopics.start();
        return runner;
    }

    /** The topology's own step before it is built: its topics and the datasets it publishes. */
    private static void provision(OnepipeTopology topology, TopologyContext context) {
        try (ClusterProvisioning provisioning = new ClusterProvisioning(context)) {
            topology.provision(context, provisioning);
        }
    }

    /** The global store needs its topic; creating the registry's compacted topic is harmless on any cluster. */
    private static void ensureMetadataTopic(TopologyContext context) {
        try (Admin admin = Admin.create(KafkaClientSettings.admin(context.config()))) {
            MetadataTopic.ensureExists(admin, context.metadataTopic());
        }
    }

    /** Dead letters need their topics before the first bad record: the producer cannot send to a missing topic. */
    private static void ensureDeadLetterTopics(TopologyContext context, Topology topology) {
        try (Admin admin = Admin.create(KafkaClientSettings.admin(context.config()))) {
            DeadLetterTopics.createMissing(admin, topology.describe(), context.applicationId());
        }
    }

    private void onStateChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        LOG.info("{} {} -> {}", context.applicationId(), oldState, newState);
        stateHistory.add(newState);
        if (newState == KafkaStreams.State.RUNNING) {
            running.countDown();
        }
        if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
            stopped.countDown();
        }
    }

    /**
     * A deleted topic cannot come back by itself: start the close now and count the application as stopped. Its
     * threads may take long to finish (a send to a deleted topic waits for {@code max.block.ms}, a transaction's commit
     * for {@code delivery.timeout.ms}); {@link #close(Duration)} bounds that wait.
     */
    private void onTopicDeleted(String fault) {
        if (progress.stopFor(fault)) {
            LOG.error("{}", progress.stopReason().orElse(fault));
            streams.close(CloseOptions.timeout(Duration.ZERO).withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            stopped.countDown();
        }
    }

    private StreamThreadExceptionResponse onUncaughtException(Throwable exception) {
        // a thread may die of a deleted topic (its metadata refreshed first): name that instead of counting a failure
        deletedTopics.checkNow().ifPresent(progress::stopFor);
        StreamThreadExceptionResponse response = progress.onThreadFailure(exception);
        String cause = ProgressWatch.describe(exception);
        if (response != StreamThreadExceptionResponse.REPLACE_THREAD) {
            LOG.error("{}", progress.stopReason().orElse(cause), exception);
        } else if (loggedFailures.add(cause)) {
            LOG.error("{}: a stream thread failed; replacing it. Cause: {}", context.applicationId(), cause, exception);
        } else {
            LOG.warn("{}: a stream thread failed again; replacing it. Cause: {}", context.applicationId(), cause);
        }
        if (response == StreamThreadExceptionResponse.REPLACE_THREAD) {
            failedThreadMembers.removeOnceStopped(Thread.currentThread());
        }
        return response;
    }

    /** Whether the application makes progress now, by {@link ProgressWatch}'s rules. */
    public TopologyHealth health() {
        return progress.health(streams.state());
    }

    /**
     * Waits until the application stops by itself (state ERROR, e.g. stopped by {@link ProgressWatch}'s policy, or
     * closing because a topic it needs was deleted) or is closed; false if {@code timeout} passes first.
     */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Why the application stopped by itself: the policy's reason, or the state ERROR; empty while it runs or after
     * a {@link #close}.
     */
    public Optional<String> failure() {
        if (progress.stopReason().isPresent()) {
            return progress.stopReason();
        }
        return streams.state() == KafkaStreams.State.ERROR || stateHistory.contains(KafkaStreams.State.ERROR)
                ? Optional.of(context.applicationId() + " stopped: Kafka Streams reached state ERROR" + progress.health(streams.state()).lastError().map(e -> ". Last error: " + e).orElse(""))
                : Optional.empty();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public TopologyContext context() {
        return context;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Every state the application has entered since it started, in order. */
    public List<KafkaStreams.State> stateHistory() {
        return List.copyOf(stateHistory);
    }

    /** Waits until the application first reaches RUNNING; false if {@code timeout} passes first. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Closes within {@code timeout}, leaving the consumer group: a static member would otherwise keep its partitions
     * until its session times out, so a scale-down would stop them for that long (KIP-1092's leave-group option).
     * Returns whether every thread stopped in time.
     */
    public boolean close(Duration timeout) {
        deletedTopics.close();
        boolean closed = streams.close(CloseOptions.timeout(timeout).withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (closed) {
            UncleanShutdownRecovery.recordCleanStop(properties);
        }
        membership.close();
        failedThreadMembers.close();
        if (!closed) {
            LOG.warn("{} did not stop within {}", context.applicationId(), timeout);
        }
        return closed;
    }

    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /** The running application's id. */
    public String applicationId() {
        return context.applicationId();
    }

    public Optional<String> dataset() {
        return context.dataset();
    }
}
