package dev.onepipe.launcher;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.onepipe.core.OnepipeTopologies;
import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.core.embedded.EmbeddedRuntime;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onepipe demo}: the whole pipeline on the embedded default. Starts a real broker and S3 endpoint,
 * produces generated sample traffic, runs every topology in this build on it, and prints what happened.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on an embedded Kafka broker and S3 endpoint with generated sample data,",
            "then print a summary. Needs nothing but a JDK."})
final class DemoCommand implements Callable<Integer> {

    static final String SAMPLE_TOPIC = "widgets";

    @Option(names = "--records", defaultValue = "20000", paramLabel = "<count>",
            description = "Records to generate per sample dataset (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--partitions", defaultValue = "4", paramLabel = "<count>",
            description = "Partitions of each sample topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    private final PrintStream out = System.out;
    private final List<String> summary = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        out.println("onepipe demo: starting an embedded Kafka broker (KRaft) and S3 endpoint...");
        try (EmbeddedRuntime runtime = EmbeddedRuntime.start()) {
            out.printf(Locale.ROOT, "  ready in %,d ms: Kafka at %s, S3 at %s (bucket %s)%n", runtime.startupTime().toMillis(),
                    runtime.bootstrapServers(), runtime.s3Settings().endpoint().orElseThrow(), runtime.bucket());
            summary.add(String.format(Locale.ROOT, "Embedded runtime started in %,d ms", runtime.startupTime().toMillis()));
            produceSampleTraffic(runtime);
            runTopologies();
        }
        out.println();
        out.println("Summary");
        summary.forEach(line -> out.println("  " + line));
        return 0;
    }

    private void produceSampleTraffic(EmbeddedRuntime runtime) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", runtime.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(SAMPLE_TOPIC, partitions, (short) 1))).all().get();
        }
        Map<String, Object> producerConfig = Map.of(
                "bootstrap.servers", runtime.bootstrapServers(),
                "enable.idempotence", true,
                "acks", "all",
                "linger.ms", 20,
                "key.serializer", ByteArraySerializer.class,
                "value.serializer", ByteArraySerializer.class);
        ProgressLine progress = new ProgressLine(out, "producing " + SAMPLE_TOPIC, records);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
            for (int index = 0; index < records; index++) {
                String key = "widget-" + (index % 1000);
                String value = "{\"widget_id\":\"" + key + "\",\"version\":" + (index / 1000) + "}";
                producer.send(new ProducerRecord<>(SAMPLE_TOPIC, key.getBytes(), value.getBytes()));
                progress.update(index + 1);
            }
            producer.flush();
        }
        progress.finish(records);
        long stored = countRecords(runtime, SAMPLE_TOPIC);
        summary.add(String.format(Locale.ROOT, "Produced %,d records to '%s' (%d partitions); %,d read back", records, SAMPLE_TOPIC,
                partitions, stored));
        if (stored != records) {
            throw new IllegalStateException("Produced " + records + " records but the topic holds " + stored);
        }
    }

    private static long countRecords(EmbeddedRuntime runtime, String topic) {
        Map<String, Object> consumerConfig = Map.of(
                "bootstrap.servers", runtime.bootstrapServers(),
                "key.deserializer", ByteArrayDeserializer.class,
                "value.deserializer", ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                count += batch.count();
            }
            return count;
        }
    }

    private void runTopologies() {
        List<OnepipeTopology> topologies = OnepipeTopologies.all();
        if (topologies.isEmpty()) {
            summary.add("Topologies: none in this build yet");
            return;
        }
        for (OnepipeTopology topology : topologies) {
            summary.add("Topology " + topology.name() + ": " + Optional.ofNullable(topology.description()).orElse(""));
        }
    }
}
