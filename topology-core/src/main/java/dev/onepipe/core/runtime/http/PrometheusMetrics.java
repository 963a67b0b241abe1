package dev.onepipe.core.runtime.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Kafka metrics as Prometheus metric snapshots, and the Prometheus text exposition format (version 0.0.4) of a
 * registry, both with the Prometheus Java client ({@code io.prometheus:prometheus-metrics-*} 1.x).
 *
 * <p>A Kafka metric is named {@code kafka_<group without -metrics>_<name>} with its tags as labels, e.g.
 * {@code kafka_stream_thread_process_total{thread_id="..."}}; names ending in {@code -total} are counters (the
 * exposition keeps their {@code _total} suffix), the rest gauges. Metrics whose value is not a number (versions, commit
 * ids) are left out. Kafka Streams' own sensors, and any a topology adds with {@code StreamsMetrics.addSensor}, show
 * up this way without further code; they are read at scrape time, so metrics of tasks assigned a moment ago are there.
 */
public final class PrometheusMetrics {

    /** The text format's media type, {@code text/plain; version=0.0.4; charset=utf-8}. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private PrometheusMetrics() {
    }

    /** One snapshot per metric family of {@code metrics}, e.g. {@code KafkaStreams.metrics()}. */
    public static List<MetricSnapshot> kafkaSnapshots(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Family> families = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            Object value = entry.getValue().metricValue();
            if (!(value instanceof Number number)) {
                continue;
            }
            MetricName name = entry.getKey();
            String group = name.group().endsWith("-metrics") ? name.group().substring(0, name.group().length() - "-metrics".length())
                    : name.group();
            boolean counter = name.name().endsWith("-total") && number.doubleValue() >= 0;
            String base = "kafka_" + group + "_" + (counter ? name.name().substring(0, name.name().length() - "-total".length()) : name.name());
            String family = legacyName(base);
            Map<String, String> labels = new LinkedHashMap<>();
            name.tags().forEach((tag, tagValue) -> labels.put(PrometheusNaming.sanitizeLabelName(tag), tagValue == null ? "" : tagValue));
            Family existing = families.computeIfAbsent(family + (counter ? "_total" : ""), key -> new Family(family, counter, name.description() == null ? "" : name.description()));
            existing.samples.putIfAbsent(labels, number.doubleValue());
        }
        // A gauge "x" beside a counter "x-total" would share the name x, and a name the client reserves (a gauge ending
        // in _total, _info, _bucket) is refused: either would fail the whole scrape, so such a gauge is left out, never
        // a counter and never every metric.
        Set<String> names = new HashSet<>();
        List<Family> kept = new ArrayList<>();
        for (boolean counters : new boolean[] {true, false}) {
            for (Family family : families.values()) {
                if (family.counter == counters && names.add(family.name)) {
                    kept.add(family);
                }
            }
        }
        kept.sort(Comparator.comparing(family -> family.name));
        List<MetricSnapshot> snapshots = new ArrayList<>();
        for (Family family : kept) {
            try {
                snapshots.add(family.snapshot());
            } catch (IllegalArgumentException e) {
                continue;
            }
        }
        return snapshots;
    }

    /** A counter snapshot of one sample; {@code name} without the {@code _total} suffix. */
    public static CounterSnapshot counter(String name, String help, Map<String, String> labels, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels(labels)).value(value).build()).build();
    }

    /** A gauge snapshot of one sample per entry of {@code samples} (labels → value). */
    public static GaugeSnapshot gauge(String name, String help, Map<Map<String, String>, Double> samples) {
        GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
        samples.forEach((labels, value) -> builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels(labels)).value(value).build()));
        return builder.build();
    }

    /** The text exposition of everything {@code registry} collects now. */
    public static byte[] text(PrometheusRegistry registry) {
        return text(registry.scrape());
    }

    /** The text exposition of {@code snapshots}: each family's HELP and TYPE lines, then its samples. */
    public static byte[] text(MetricSnapshots snapshots) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            WRITER.write(output, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return output.toByteArray();
    }

    static Labels labels(Map<String, String> labels) {
        Labels.Builder builder = Labels.builder();
        new TreeMap<>(labels).forEach(builder::label);
        return builder.build();
    }

    /** Letters, digits and underscores, not starting with a digit (the names every Prometheus version accepts). */
    static String legacyName(String name) {
        String sanitized = name.replaceAll("[^a-zA-Z0-9_]", "_");
        return !sanitized.isEmpty() && Character.isDigit(sanitized.charAt(0)) ? "_" + sanitized : sanitized;
    }

    private static final class Family {
        private final String name;
        private final boolean counter;
        private final String help;
        private final Map<Map<String, String>, Double> samples = new LinkedHashMap<>();

        Family(String name, boolean counter, String help) {
            this.name = name;
            this.counter = counter;
            this.help = help;
        }

        MetricSnapshot snapshot() {
            if (!counter) {
                return gauge(name, help, samples);
            }
            CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
            samples.forEach((labels, value) -> builder.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels(labels))
                    .value(value).build()));
            return builder.build();
        }
    }
}
