package dev.onepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.core.testing.OnepipeProcess;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.testdata.SampleDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code onepipe run campaign-metrics} and {@code onepipe run ysb} on a real broker create a dead-letter topic for
 * each topic they read and none for a topic they only write: no {@code ad-served.dlq.dlq},
 * {@code campaign-metrics-late.dlq} or {@code ysb-events.dlq.dlq}.
 */
class DeadLetterTopicsIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final List<String> AD_INPUTS = List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS,
        SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS);
    private static final List<String> YSB_INPUTS = List.of(SampleDatasets.YSB_EVENTS, SampleDatasets.YSB_CAMPAIGNS);

    @Test
    void onlyTopicsATopologyReadsGetADeadLetterTopic() throws Exception {
        List<String> inputs = new ArrayList<>(AD_INPUTS);
        inputs.addAll(YSB_INPUTS);
        try (MetadataRegistry registry = MetadataRegistry.connect(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            List<RegistrationRequest> requests = new ArrayList<>();
            for (String dataset : inputs) {
                requests.add(RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(dataset)),
                    SampleDatasets.schema(dataset)));
            }
            registry.registerAll(requests).forEach(result -> assertTrue(result.accepted(), result.summary()));
        }
        for (String dataset : inputs) {
            RUNTIME.createTopic(dataset, 1);
        }
        Path stateRoot = Files.createTempDirectory("onepipe-dlq-topics-it");

        runUntilRunning(stateRoot, "campaign-metrics", SampleDatasets.AD_SERVED);
        runUntilRunning(stateRoot, "ysb", SampleDatasets.YSB_EVENTS);

        Set<String> topics = new TreeSet<>(RUNTIME.admin().listTopics().names().get(60, TimeUnit.SECONDS));
        Set<String> deadLetterTopics = new TreeSet<>(topics.stream().filter(topic -> topic.endsWith(".dlq")).toList());
        assertTrue(deadLetterTopics.stream().noneMatch(topic -> topic.endsWith(".dlq.dlq")), deadLetterTopics.toString());
        assertTrue(topics.contains("campaign-metrics-late"), "the late topic exists: " + topics);
        for (String topic : topics) {
            if (!topic.endsWith(".dlq") && !topic.startsWith("_") && !inputs.contains(topic)
                    && !topic.endsWith("-repartition") && !topic.endsWith("-changelog")) {
                assertTrue(!deadLetterTopics.contains(topic + ".dlq"), "a topic only written got a dead-letter topic: "
                    + topic + ".dlq in " + deadLetterTopics);
            }
        }
        for (String input : List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS,
                SampleDatasets.YSB_EVENTS)) {
            assertTrue(deadLetterTopics.contains(input + ".dlq"), input + ".dlq missing from " + deadLetterTopics);
        }
        assertEquals(Set.of(), intersection(deadLetterTopics, Set.of("campaign-metrics-late.dlq", "campaign-metrics.dlq",
            "campaign-metrics-unjoined.dlq", "ad-served.dlq.dlq", "ysb-events.dlq.dlq")));
    }

    private static Set<String> intersection(Set<String> first, Set<String> second) {
        Set<String> both = new TreeSet<>(first);
        both.retainAll(second);
        return both;
    }

    private static void runUntilRunning(Path stateRoot, String topology, String dataset) throws Exception {
        try (OnepipeProcess run = OnepipeProcess.start("run", topology, "--dataset", dataset,
                "--bootstrap-servers", RUNTIME.bootstrapServers(), "--status-interval", "1",
                "--set", "onepipe.state.root=" + stateRoot.resolve(topology))) {
            assertTrue(run.awaitLine(line -> line.contains(" RUNNING "), Duration.ofSeconds(180)).isPresent(), run.output());
            run.terminate(Duration.ofSeconds(60));
        }
    }
}
