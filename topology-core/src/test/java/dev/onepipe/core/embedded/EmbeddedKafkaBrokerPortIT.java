package dev.onepipe.core.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/**
 * A listener port another socket takes between the probe and the broker's bind (a client's outgoing connection on a
 * busy machine, another test's server) costs a start attempt, not the JVM: Kafka's controller treats a failed startup
 * as a fatal fault and halts the process, which killed a CI run's test JVM mid-suite.
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

    private static void assertStartsAndServes(ServerSocket taken, Stream<Integer> firstAttempt) throws Exception {
        Iterator<Integer> ports = Stream.concat(firstAttempt, Stream.generate(LoopbackPorts::freePort)).iterator();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Files.createTempDirectory("onepipe-kafka-"), true, Optional.empty(),
                ports::next)) {
            assertFalse(broker.bootstrapServers().endsWith(":" + taken.getLocalPort()), broker.bootstrapServers());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("retried", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("retried", "key", "served after a retry")).get();
            }
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition("retried", 0)));
                consumer.seekToBeginning(List.of(new TopicPartition("retried", 0)));
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(30));
                assertEquals(1, records.count());
                assertEquals("served after a retry", records.iterator().next().value());
            }
        }
    }
}
