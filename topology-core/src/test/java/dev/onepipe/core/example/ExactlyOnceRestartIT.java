package dev.onepipe.core.example;

import dev.onepipe.core.testing.OnepipeProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.WidgetGenerator;
import dev.onepipe.testdata.WidgetGeneratorConfig;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A topology's JVM is killed with SIGKILL in the middle of its input, with no chance to commit or close, and
 * started again: under exactly-once, a read-committed consumer of the output sees every input record exactly once.
 */
class ExactlyOnceRestartIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    private static final int PARTITIONS = 3;
    private static final int RECORDS = 20_000;

    @Test
    void killedMidStreamAndRestartedItWritesEveryRecordExactlyOnce() throws Exception {
        ExampleDatasets.register(RUNTIME.bootstrapServers(), RUNTIME.admin(), PARTITIONS);
        List<GeneratedRecord> widgets = new WidgetGenerator(WidgetGeneratorConfig.builder().seed(23).recordCount(RECORDS).noDefects().build())
                .generateAll();
        Map<String, Long> expected = new TreeMap<>();
        widgets.forEach(record -> expected.merge(identity(record.value()), 1L, Long::sum));
        assertEquals(RECORDS, expected.size(), "generated (widget, version) pairs are unique");

        Path stateRoot = Files.createTempDirectory("exactly-once-restart-it");
        String[] run = {"run", "widget-prices", "--dataset", "widgets", "--bootstrap-servers", RUNTIME.bootstrapServers(),
            "--status-interval", "0",
            "--set", "onepipe.state.root=" + stateRoot,
            "--set", "onepipe.widget-prices.maximum.price=1000000",
            // the killed member leaves the group when its session expires; the broker's minimum keeps the restart short
            "--set", "session.timeout.ms=6000"};
        AtomicReference<Exception> producerFailure = new AtomicReference<>();
        Thread producing = new Thread(() -> produceSteadily(widgets, producerFailure), "widgets-producer");
        try (CommittedTopicReader output = new CommittedTopicReader(RUNTIME.bootstrapServers(), "widget-prices", PARTITIONS)) {
            producing.start();
            int committedAtKill;
            try (OnepipeProcess first = OnepipeProcess.start(run)) {
                assertTrue(output.awaitCount(RECORDS / 5, Duration.ofMinutes(2)), "first run wrote " + output.count() + ":\n" + first.output());
                first.kill();
                committedAtKill = output.count();
            }
            assertTrue(committedAtKill < RECORDS, "killed before the end of the input: " + committedAtKill);
            try (OnepipeProcess second = OnepipeProcess.start(run)) {
                producing.join(120_000);
                assertEquals(null, producerFailure.get());
                assertTrue(output.awaitCount(RECORDS, Duration.ofMinutes(3)), "after the restart " + output.count() + " of " + RECORDS
                        + " (" + committedAtKill + " at the kill):\n" + second.output());
                // anything written twice would arrive late; give it time to show
                Thread.sleep(3_000);
                Map<String, Long> written = written(output.records());
                List<String> duplicated = written.entrySet().stream().filter(entry -> entry.getValue() > 1).map(Map.Entry::getKey).toList();
                List<String> missing = expected.keySet().stream().filter(identity -> !written.containsKey(identity)).toList();
                assertEquals(List.of(), duplicated, "written more than once");
                assertEquals(List.of(), missing, "never written");
                assertEquals(expected, written);
                assertEquals(143, second.terminate(Duration.ofSeconds(60)), second.output());
            }
        }
    }

    /** Sends the widgets over about ten seconds, so the kill falls in the middle of the input. */
    private static void produceSteadily(List<GeneratedRecord> widgets, AtomicReference<Exception> failure) {
        try (DatasetProducer producer = DatasetProducer.connect(Map.of("bootstrap.servers", RUNTIME.bootstrapServers()))) {
            for (int index = 0; index < widgets.size(); index++) {
                producer.send("widgets", widgets.get(index).value());
                if (index % 100 == 99) {
                    producer.flush();
                    Thread.sleep(50);
                }
            }
        } catch (Exception e) {
            failure.set(e);
        }
    }

    private static String identity(GenericRecord widget) {
        return widget.get("widget_id") + "/" + widget.get("version");
    }

    /** Counts each (widget, version) the output holds, decoding the Avro body with the example's own schema. */
    private static Map<String, Long> written(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        Schema schema = new Schema.Parser().parse(
                ExactlyOnceRestartIT.class.getClassLoader().getResourceAsStream("datasets/widget-prices.avsc"));
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
        Map<String, Long> written = new TreeMap<>();
        List<String> wrongKeys = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            byte[] value = record.value();
            GenericRecord price = reader.read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
            written.merge(identity(price), 1L, Long::sum);
            if (!price.get("widget_id").toString().equals(new String(record.key(), StandardCharsets.UTF_8))) {
                wrongKeys.add(identity(price));
            }
        }
        assertEquals(List.of(), wrongKeys);
        return written;
    }
}
