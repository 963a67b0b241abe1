package dev.onepipe.core.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener port another socket takes between the probe and the broker's bind (a client's outgoing connection on a
 * busy machine, another test's server) costs a start attempt, not the JVM: Kafka's controller treats a failed startup
 * as a fatal fault and halts the process, which killed a CI run's test JVM mid-suite. Tried for both listeners, for a
 * restart on kept data (which a retry must not reformat) and for the SASL_SSL broker.
 */
class EmbeddedKafkaBrokerPortIT {

    @Test
    void aControllerPortTakenAtBindIsRetriedOnOtherPorts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // The first attempt's broker port is free and its controller port is the taken one.
            assertStartsAndServes(taken, Stream.of(LoopbackPorts.freePort(), taken.getLocalPort()));
        }
    }

    @Test
    void aBrokerPortTakenAtBindIsRetriedOnOtherPorts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // The controller of the first attempt starts; the broker's bind fails after it.
            assertStartsAndServes(taken, Stream.of(taken.getLocalPort(), LoopbackPorts.freePort()));
        }
    }

    @Test
    void aRestartOnKeptDataWhoseControllerPortIsTakenKeepsTheData(@TempDir Path folder) throws Exception {
        // onepipe dev --data-dir: the folder was formatted by an earlier start, and a retried start must not reformat it.
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start(folder)) {
            Map<String, Object> client = Map.of("bootstrap.servers", first.bootstrapServers());
            createTopicAndProduce(client);
        }
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(folder, false, Optional.empty(),
                     ports(Stream.of(LoopbackPorts.freePort(), taken.getLocalPort())))) {
            assertEquals("served after a retry", readTheRecord(Map.of("bootstrap.servers", restarted.bootstrapServers())));
        }
    }

    @Test
    void aSecuredBrokerWhoseControllerPortIsTakenStartsOnOtherPorts(@TempDir Path folder) throws Exception {
        SaslSslListener listener = SaslSslListener.create(folder.resolve("tls"), List.of("alice"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(folder.resolve("kafka"), true, Optional.of(listener),
                     ports(Stream.of(LoopbackPorts.freePort(), taken.getLocalPort())))) {
            Map<String, Object> client = new HashMap<>(listener.clientConfig(listener.adminUser()));
            client.put("bootstrap.servers", broker.bootstrapServers());
            createTopicAndProduce(client);
            assertEquals("served after a retry", readTheRecord(client));
        }
    }

    private static IntSupplier ports(Stream<Integer> firstAttempt) {
        Iterator<Integer> ports = Stream.concat(firstAttempt, Stream.generate(LoopbackPorts::freePort)).iterator();
        return ports::next;
    }

    private static void assertStartsAndServes(ServerSocket taken, Stream<Integer> firstAttempt) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Files.createTempDirectory("onepipe-kafka-"), true, Optional.empty(),
                ports(firstAttempt))) {
            assertFalse(broker.bootstrapServers().endsWith(":" + taken.getLocalPort()), broker.bootstrapServers());
            Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
            createTopicAndProduce(client);
            assertEquals("served after a retry", readTheRecord(client));
        }
    }

    private static void createTopicAndProduce(Map<String, Object> client) throws Exception {
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic("retried", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(client, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("retried", "key", "served after a retry")).get();
        }
    }

    /** The value of the only record of topic {@code retried}. */
    private static String readTheRecord(Map<String, Object> client) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(client, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("retried", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofSeconds(1));
            }
            assertEquals(1, records.count());
            return records.iterator().next().value();
        }
    }
}
