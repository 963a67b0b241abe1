package dev.onepipe.core.runtime.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Metrics in the Prometheus text exposition format (version 0.0.4). Kafka metrics are named
 * {@code kafka_<group without -metrics>_<name>} with their tags as labels, e.g.
 * {@code kafka_stream_thread_process_total{thread_id="..."}}; names ending in {@code -total} are counters, the rest
 * gauges. Metrics whose value is not a number (versions, commit ids) are left out.
 */
public final class PrometheusTextFormat {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Map<String, Family> families = new TreeMap<>();

    /** Adds every numeric metric of a Kafka metrics registry, e.g. {@code KafkaStreams.metrics()}. */
    public PrometheusTextFormat addKafkaMetrics(Map<MetricName, ? extends Metric> metrics) {
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            Object value = entry.getValue().metricValue();
            if (!(value instanceof Number)) {
                continue;
            }
            MetricName name = entry.getKey();
            String group = name.group().endsWith("-metrics") ? name.group().substring(0, name.group().length() - "-metrics".length())
                    : name.group();
            String family = "kafka_" + sanitize(group) + "_" + sanitize(name.name());
            add(family, name.name().endsWith("-total") ? "counter" : "gauge", name.description(), name.tags(),
                    ((Number) value).doubleValue());
        }
        return this;
    }

    /**
     * Adds one sample to the family {@code name}.
     *
     * @param type {@code counter} or {@code gauge}
     */
    public PrometheusTextFormat add(String name, String type, String help, Map<String, String> labels, double value) {
        families.computeIfAbsent(sanitize(name), familyName -> new Family(type, help)).samples.add(new Sample(labels, value));
        return this;
    }

    /** The text to serve: each family's HELP and TYPE lines, then its samples, families sorted by name. */
    public String render() {
        StringBuilder text = new StringBuilder();
        families.forEach((name, family) -> {
            if (family.help != null && !family.help.isEmpty()) {
                text.append("# HELP ").append(name).append(' ').append(family.help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            }
            text.append("# TYPE ").append(name).append(' ').append(family.type).append('\n');
            for (Sample sample : family.samples) {
                text.append(name);
                if (!sample.labels.isEmpty()) {
                    text.append('{');
                    String separator = "";
                    for (Map.Entry<String, String> label : new TreeMap<>(sample.labels).entrySet()) {
                        text.append(separator).append(sanitize(label.getKey())).append("=\"").append(escapeLabelValue(label.getValue())).append('"');
                        separator = ",";
                    }
                    text.append('}');
                }
                text.append(' ').append(format(sample.value)).append('\n');
            }
        });
        return text.toString();
    }

    /** A valid metric or label name: letters, digits and underscores, not starting with a digit. */
    static String sanitize(String name) {
        String sanitized = name.replaceAll("[^a-zA-Z0-9_]", "_");
        return !sanitized.isEmpty() && Character.isDigit(sanitized.charAt(0)) ? "_" + sanitized : sanitized;
    }

    private static String escapeLabelValue(String value) {
        return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%s", value);
    }

    private static final class Family {
        private final String type;
        private final String help;
        private final List<Sample> samples = new ArrayList<>();

        Family(String type, String help) {
            this.type = type;
            this.help = help;
        }
    }

    private record Sample(Map<String, String> labels, double value) {
    }
}
