package dev.onepipe.campaign.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.PartitionLeaders;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.producer.SendFailures;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.YsbGenerator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Yahoo Streaming Benchmark workload for onepipe: registers {@code ysb-events} and {@code ysb-campaigns}, and
 * produces the generator's events through {@link DatasetProducer} (validated, wire format, keyed by event id), either
 * as fast as the producer goes or paced so that each event is sent at its own event time, as the original benchmark's
 * generator does.
 *
 * <p>Every record the generator emits is counted in its tally, so every send must reach the topic: the produce methods
 * check each send's result and throw when one failed, rather than let the benchmark compare engines with a tally of
 * records the topic lacks.
 */
public final class YsbWorkload {

    private final YsbGenerator generator;

    public YsbWorkload(YsbGenerator generator) {
        this.generator = generator;
    }

    /** Registers the two YSB datasets (if they are not already) and creates their topics with {@code partitions}. */
    public static void registerDatasets(Map<String, Object> clientConfig, String metadataTopic, int partitions) {
        try (MetadataRegistry registry = MetadataRegistry.connect(clientConfig, metadataTopic)) {
            List<RegistrationRequest> requests = new ArrayList<>();
            for (String dataset : List.of(SampleDatasets.YSB_EVENTS, SampleDatasets.YSB_CAMPAIGNS)) {
                requests.add(RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(dataset)), SampleDatasets.schema(dataset)));
            }
            // one request list is planned as a whole, so the two schemas can never be given the same id
            for (RegistrationResult result : registry.registerAll(requests)) {
                if (!result.accepted()) {
                    throw new IllegalStateException("Cannot register the YSB datasets: " + result.summary());
                }
            }
        }
        try (Admin admin = Admin.create(clientConfig)) {
            for (String topic : List.of(SampleDatasets.YSB_EVENTS, SampleDatasets.YSB_CAMPAIGNS)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create " + topic + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            if (!PartitionLeaders.await(admin, List.of(SampleDatasets.YSB_EVENTS, SampleDatasets.YSB_CAMPAIGNS))) {
                throw new IllegalStateException("The YSB topics' partitions have no ready leader (see the warning above)");
            }
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Cannot create the YSB topics: " + e, e);
        }
    }

    /**
     * Sends the ad-to-campaign mapping; returns how many records were sent.
     *
     * @throws IllegalStateException when a record was not written (its views would count under no campaign)
     */
    public long produceCampaigns(DatasetProducer producer) {
        SendFailures results = new SendFailures();
        for (GeneratedRecord record : generator.campaignMappingRecords()) {
            producer.send(record.dataset(), record.value(), results);
        }
        producer.flush();
        results.throwIfAny("of " + SampleDatasets.YSB_CAMPAIGNS);
        return generator.campaignMappingRecords().size();
    }

    /**
     * Sends up to {@code count} events as fast as the producer takes them; {@code progress} hears the running total
     * every 10,000 events. Corrupt records of the generator are skipped: the producer refuses them by design.
     *
     * @throws IllegalStateException when an event was not written
     */
    public long produce(DatasetProducer producer, long count, LongConsumer progress) {
        SendFailures results = new SendFailures();
        long sent = 0;
        while (sent < count && generator.hasNext()) {
            GeneratedRecord record = generator.next();
            if (record.isCorrupt()) {
                continue;
            }
            producer.send(record.dataset(), record.value(), results);
            sent++;
            if (sent % 10_000 == 0) {
                progress.accept(sent);
            }
        }
        producer.flush();
        results.throwIfAny("of " + SampleDatasets.YSB_EVENTS);
        progress.accept(sent);
        return sent;
    }

    /**
     * Sends every remaining event when the wall clock reaches its event time (so event time is send time, give or
     * take a millisecond); the generator's start time should be about now.
     *
     * @throws IllegalStateException when an event was not written
     */
    public long producePaced(DatasetProducer producer, LongConsumer progress) {
        SendFailures results = new SendFailures();
        long sent = 0;
        List<GeneratedRecord> due = new ArrayList<>();
        GeneratedRecord pending = null;
        while (pending != null || generator.hasNext()) {
            long now = System.currentTimeMillis();
            if (pending == null) {
                pending = generator.next();
            }
            while (pending != null && pending.timestampMillis() <= now) {
                if (!pending.isCorrupt()) {
                    due.add(pending);
                }
                pending = generator.hasNext() ? generator.next() : null;
            }
            for (GeneratedRecord record : due) {
                producer.send(record.dataset(), record.value(), results);
            }
            sent += due.size();
            if (!due.isEmpty()) {
                progress.accept(sent);
            }
            due.clear();
            if (pending != null && pending.timestampMillis() > System.currentTimeMillis()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        producer.flush();
        results.throwIfAny("of " + SampleDatasets.YSB_EVENTS);
        return sent;
    }

    public YsbGenerator generator() {
        return generator;
    }
}
