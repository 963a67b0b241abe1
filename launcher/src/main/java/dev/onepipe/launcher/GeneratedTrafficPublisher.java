package dev.onepipe.launcher;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.onepipe.core.cli.ProgressLine;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.testdata.GeneratedRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes generated sample records to their datasets with their own event time as record timestamp: valid
 * records through {@link DatasetProducer} (validated, in the wire format), and the generator's deliberately
 * corrupt ones as raw bytes, the way a broken producer outside onepipe would write them.
 */
final class GeneratedTrafficPublisher implements AutoCloseable {

    private final DatasetProducer datasetProducer;
    private final KafkaProducer<byte[], byte[]> rawProducer;
    private final MetadataCatalog catalog;

    GeneratedTrafficPublisher(Map<String, Object> clientConfig, MetadataCatalog catalog) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.catalog = catalog;
        this.datasetProducer = new DatasetProducer(config, catalog);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        this.rawProducer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** What was published to one dataset. */
    record Published(String dataset, long valid, long corrupt) {
        long total() {
            return valid + corrupt;
        }
    }

    /**
     * Sends every record of {@code records} to its own dataset; returns, per dataset in order of first appearance,
     * what was sent, once the broker acknowledged all of it.
     */
    Map<String, Published> publish(Iterator<GeneratedRecord> records, long expected, ProgressLine progress) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onAcknowledged = (metadata, exception) -> {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
        };
        Map<String, long[]> counts = new LinkedHashMap<>();
        long sent = 0;
        while (records.hasNext()) {
            GeneratedRecord record = records.next();
            long[] count = counts.computeIfAbsent(record.dataset(), dataset -> new long[2]);
            if (record.isCorrupt()) {
                rawProducer.send(new ProducerRecord<>(topic(record.dataset()), null, record.timestampMillis(),
                        record.key().getBytes(StandardCharsets.UTF_8), record.corruptBytes(schemaId(record.dataset()))), onAcknowledged);
                count[1]++;
            } else {
                datasetProducer.send(record.dataset(), record.key(), record.value(), record.timestampMillis(), onAcknowledged);
                count[0]++;
            }
            progress.update(++sent);
            if (failure.get() != null) {
                break;
            }
        }
        datasetProducer.flush();
        rawProducer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("Publishing generated records failed: " + failure.get().getMessage(), failure.get());
        }
        progress.finish(sent);
        Map<String, Published> published = new LinkedHashMap<>();
        counts.forEach((dataset, count) -> published.put(dataset, new Published(dataset, count[0], count[1])));
        return published;
    }

    private String topic(String dataset) {
        return catalog.dataset(dataset).map(DatasetVersion::metadata)
                .orElseThrow(() -> new IllegalStateException("Dataset '" + dataset + "' is not registered")).topic();
    }

    private int schemaId(String dataset) {
        return catalog.latestSchemaForDataset(dataset)
                .orElseThrow(() -> new IllegalStateException("Dataset '" + dataset + "' has no schema")).id();
    }

    @Override
    public void close() {
        try {
            datasetProducer.close();
        } finally {
            rawProducer.close();
        }
    }
}
