package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import dev.onepipe.core.cli.OnepipeCommand;
import dev.onepipe.core.testing.EmbeddedRuntimeExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code onepipe status} on the embedded broker: a group that committed everything a transactional producer wrote sits
 * one offset below the end (the commit marker) and is OK with lag 0; a group left behind with no members is STOP; a
 * group not named onepipe-* is shown when asked for.
 */
class StatusIT {

    @RegisterExtension
    static final EmbeddedRuntimeExtension RUNTIME = new EmbeddedRuntimeExtension();

    @Test
    void aCommitMarkerIsNoLagAndAGroupLeftBehindIsStopped() throws Exception {
        String topic = RUNTIME.uniqueName("transactional");
        RUNTIME.createTopic(topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(),
                "transactional.id", topic + "-producer"), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int index = 0; index < 10; index++) {
                producer.send(new ProducerRecord<>(topic, 0, null, ("record " + index).getBytes()));
            }
            producer.commitTransaction();
        }
        TopicPartition partition = new TopicPartition(topic, 0);
        // commitTransaction returns once the commit is decided; the coordinator writes the marker a moment later
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        long end;
        do {
            end = RUNTIME.admin().listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get()
                    .get(partition).offset();
        } while (end < 11 && System.nanoTime() < deadline && sleepBriefly());
        assertEquals(11, end, "ten records and the transaction's commit marker");

        String caughtUp = "onepipe-caught-up-" + topic;
        String behind = "onepipe-behind-" + topic;
        String other = "other-" + topic;
        commit(caughtUp, partition, 10);
        commit(behind, partition, 4); // 6 records and the marker behind: a lag of 7 offsets
        commit(other, partition, 10);

        StringWriter out = new StringWriter();
        int code = run(out, "status", "--samples", "3", "--interval", "1", "--group", other);
        String printed = out.toString();
        assertEquals(StatusCommand.ERROR, code, printed);
        assertTrue(line(printed, caughtUp).matches("\\s+\\S+\\s+OK\\s+0\\s.*"), printed);
        assertTrue(line(printed, behind).matches("\\s+\\S+\\s+STOP\\s+7\\s.*"), printed);
        assertTrue(line(printed, other).matches("\\s+\\S+\\s+OK\\s+0\\s.*"), printed);

        // A misspelled group given by name has no committed offsets: named, not shown healthy, exit 2.
        String misspelled = "nosuchgroup-" + topic;
        StringWriter unknown = new StringWriter();
        int unknownCode = run(unknown, "status", "--samples", "1", "--interval", "0", "--group", misspelled);
        assertEquals(StatusCommand.UNKNOWN_GROUP, unknownCode, unknown.toString());
        assertTrue(line(unknown.toString(), misspelled).matches("\\s+\\S+\\s+UNKNOWN\\s.*"), unknown.toString());
        assertTrue(unknown.toString().contains("group " + misspelled + " has no committed offsets"), unknown.toString());
    }

    /** Commits {@code offset} for {@code group} as a consumer that then leaves: a group with no members. */
    private static void commit(String group, TopicPartition partition, long offset) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RUNTIME.bootstrapServers(), "group.id", group),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset)));
        }
    }

    private static String line(String output, String group) {
        return output.lines().filter(text -> text.contains(group)).findFirst().orElse("(no line for " + group + ")");
    }

    private static int run(StringWriter out, String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(arguments));
        command.addAll(List.of("--bootstrap-servers", RUNTIME.bootstrapServers()));
        picocli.CommandLine commandLine = OnepipeCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        return commandLine.execute(command.toArray(String[]::new));
    }

    private static boolean sleepBriefly() throws InterruptedException {
        Thread.sleep(50);
        return true;
    }
}
