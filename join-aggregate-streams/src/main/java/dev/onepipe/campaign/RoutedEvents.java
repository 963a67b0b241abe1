package dev.onepipe.campaign;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Events that leave the pipeline without counting go to a topic of their own, as one JSON object each with the
 * reason, so nothing is lost silently: late events to the late topic, views and clicks that never joined to the
 * unjoined topic.
 */
public final class RoutedEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RoutedEvents() {
    }

    /**
     * The events of {@code stream} that are on time for a window of {@code windowSize} with {@code grace} at
     * {@code streamTime}; the late ones are written to {@code lateTopic}, described by {@code describe}. Processor names
     * start with {@code name}.
     */
    public static <V> KStream<String, V> onTime(KStream<String, V> stream, String name, Duration windowSize, Duration grace,
                                                LatenessGate.StreamTime streamTime, Function<V, String> metricsLabel,
                                                Function<Verdict<V>, String> describe, String lateTopic) {
        KStream<String, Verdict<V>> checked = stream.processValues(() -> new LatenessGate<>(windowSize, grace, streamTime, metricsLabel),
                Named.as(name + "-lateness"));
        return accepted(checked, name + "-on-time", "late", describe, lateTopic);
    }

    /**
     * The accepted values of {@code checked}; rejected ones are written to {@code topic} as described by {@code describe}.
     */
    public static <V> KStream<String, V> accepted(KStream<String, Verdict<V>> checked, String name, String rejectedName,
                                                  Function<Verdict<V>, String> describe, String topic) {
        Map<String, KStream<String, Verdict<V>>> branches = checked
                .split(Named.as(name + "-"))
                .branch((key, verdict) -> verdict.isRejected(), Branched.as(rejectedName))
                .defaultBranch(Branched.as("accepted"));
        branches.get(name + "-" + rejectedName)
                .mapValues(verdict -> describe.apply(verdict), Named.as(name + "-" + rejectedName + "-describe"))
                .to(topic, Produced.with(Serdes.String(), Serdes.String()).withName(name + "-" + rejectedName + "-events"));
        return branches.get(name + "-accepted").mapValues(verdict -> verdict.value(), Named.as(name + "-" + "accepted-values"));
    }

    /** A routed ad event: its fields, the reason and what the check saw. */
    public static String describe(Verdict<AdEvent> verdict) {
        AdEvent event = verdict.value();
        ObjectNode node = JSON.createObjectNode();
        node.put("stream", event.stream().label());
        node.put("event_id", event.eventId());
        node.put("ad_id", event.adId());
        node.put("campaign_id", event.campaignId());
        node.put("event_time", event.eventTime());
        node.put("reason", verdict.reason().name());
        node.put("detail", verdict.detail());
        return write(node);
    }

    /** A routed partial aggregate of the two-stage aggregation. */
    public static String describePartial(Verdict<CampaignWindowAggregate> verdict) {
        CampaignWindowAggregate partial = verdict.value();
        ObjectNode node = JSON.createObjectNode();
        node.put("stream", "partials");
        node.put("ads_served", partial.served());
        node.put("views", partial.views());
        node.put("clicks", partial.clicks());
        node.put("reason", verdict.reason().name());
        node.put("detail", verdict.detail());
        return write(node);
    }

    /** Reads back one routed event, e.g. in a test or a tool. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a routed event: " + json, e);
        }
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
