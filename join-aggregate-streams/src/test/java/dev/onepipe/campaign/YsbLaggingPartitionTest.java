package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * ysb's count when one input partition lags the other by more than the grace, as in a backlog read from several
 * partitions: every view that is on time in its own partition counts, and a window is published only once every input
 * partition has passed its end plus grace (what Flink does with a watermark = min over partitions).
 *
 * <p>The test driver gives every topic a single partition, so the two input partitions are two topics, both feeding
 * the count stage of {@link YsbTopology} (views already attributed to their campaign); the stage keeps its clock per
 * input topic-partition, so this is the same code path as two partitions of {@code ysb-events}. Expected counts are
 * worked out by hand below. Window 10 s, grace 1 s (the defaults); times are seconds after {@link #T0}.
 */
class YsbLaggingPartitionTest {

    private static final Instant T0 = OnepipeTestDriver.DEFAULT_START_TIME;
    private static final String AHEAD = "ysb-views-partition-ahead";
    private static final String LAGGING = "ysb-views-partition-lagging";
    private static final String COUNTS = "ysb-test-counts";

    @Test
    void viewsOfALaggingPartitionCountWhenTheyAreOnTimeInTheirOwnPartition() {
        try (OnepipeTestDriver driver = OnepipeTestDriver.builder("ysb-lagging-partition", YsbLaggingPartitionTest::build)
                .topic(AHEAD).build()) {
            TopologyTestDriver test = driver.testDriver();
            TestInputTopic<String, AdEvent> ahead = test.createInputTopic(AHEAD, new StringSerializer(), new AdEventSerde().serializer());
            TestInputTopic<String, AdEvent> lagging = test.createInputTopic(LAGGING, new StringSerializer(), new AdEventSerde().serializer());
            TestOutputTopic<String, Long> counts = test.createOutputTopic(COUNTS, new StringDeserializer(), new LongDeserializer());
            TestOutputTopic<String, String> late = test.createOutputTopic("ysb-campaign-metrics-late", new StringDeserializer(), new StringDeserializer());

            // the partition ahead runs through 41 s: it alone has passed window [30 s, 40 s) + 1 s grace
            view(ahead, "a1", "campaign-a", 1_000);
            view(ahead, "a2", "campaign-a", 2_000);
            view(ahead, "a3", "campaign-a", 12_000);
            view(ahead, "a4", "campaign-a", 20_500);
            view(ahead, "a5", "campaign-a", 19_800); // window [10 s, 20 s) ends at 20 s > 20.5 s - 1 s: on time
            view(ahead, "a6", "campaign-a", 25_000);
            view(ahead, "a7", "campaign-a", 41_000);
            assertTrue(counts.isEmpty(), "no window may be published while the lagging partition has not passed it");

            // the lagging partition starts at 3 s, 38 s behind: more than the grace, but each view is on time in its own partition
            view(lagging, "b1", "campaign-a", 3_000);
            view(lagging, "b2", "campaign-b", 5_000);
            view(lagging, "b3", "campaign-a", 15_000);
            view(lagging, "b4", "campaign-b", 33_000);
            view(lagging, "b5", "campaign-b", 42_000);
            view(lagging, "b6", "campaign-a", 30_500); // window [30 s, 40 s) ends at 40 s <= 42 s - 1 s: late in its own partition

            List<KeyValue<String, Long>> published = counts.readKeyValuesToList();
            Map<String, Long> byWindow = new TreeMap<>();
            published.forEach(result -> byWindow.put(result.key, result.value));
            assertEquals(Map.of(
                    "campaign-a@0", 3L,       // a1, a2, b1
                    "campaign-b@0", 1L,       // b2
                    "campaign-a@10000", 3L,   // a3, a5, b3
                    "campaign-a@20000", 2L,   // a4, a6
                    "campaign-b@30000", 1L),  // b4; window [40 s, 50 s) is still open in both partitions
                    byWindow);
            assertEquals(byWindow.size(), published.size(), "each window is published once, when final");
            List<String> lateViews = late.readValuesToList();
            assertEquals(1, lateViews.size(), lateViews.toString());
            assertEquals("b6", RoutedEvents.read(lateViews.get(0)).get("event_id"));
        }
    }

    @Test
    void updatesEndAtTheSameCountsAndShowTheOpenWindow() {
        try (OnepipeTestDriver driver = OnepipeTestDriver.builder("ysb-lagging-partition", YsbLaggingPartitionTest::build)
                .topic(AHEAD).set(YsbSettings.EMIT, "updates").build()) {
            TopologyTestDriver test = driver.testDriver();
            TestInputTopic<String, AdEvent> ahead = test.createInputTopic(AHEAD, new StringSerializer(), new AdEventSerde().serializer());
            TestInputTopic<String, AdEvent> lagging = test.createInputTopic(LAGGING, new StringSerializer(), new AdEventSerde().serializer());
            TestOutputTopic<String, Long> counts = test.createOutputTopic(COUNTS, new StringDeserializer(), new LongDeserializer());
            view(ahead, "a1", "campaign-a", 1_000);
            view(ahead, "a2", "campaign-a", 2_000);
            view(ahead, "a3", "campaign-a", 41_000);
            view(lagging, "b1", "campaign-a", 3_000);
            view(lagging, "b2", "campaign-b", 42_000);
            view(lagging, "b3", "campaign-a", 30_500); // late in its own partition, as above
            // the open windows' counts are sent on every update interval (100 ms) of wall-clock time
            driver.advanceWallClockTime(Duration.ofMillis(200));

            Map<String, Long> latest = new TreeMap<>();
            counts.readKeyValuesToList().forEach(result -> latest.put(result.key, result.value));
            assertEquals(Map.of(
                    "campaign-a@0", 3L,       // a1, a2, b1: closed in both partitions
                    "campaign-a@40000", 1L,   // a3: open
                    "campaign-b@40000", 1L),  // b2: open
                    latest);
        }
    }

    private static void build(StreamsBuilder builder, TopologyContext context) {
        Consumed<String, AdEvent> consumed = Consumed.with(Serdes.String(), new AdEventSerde());
        KStream<String, AdEvent> views = builder.stream(AHEAD, consumed).merge(builder.stream(LAGGING, consumed));
        YsbTopology.countPerCampaignWindow(views, YsbSettings.from(context), 2)
                .map((campaign, result) -> KeyValue.pair(campaign + "@" + (result.windowStart() - T0.toEpochMilli()), result.views()))
                .to(COUNTS, Produced.with(Serdes.String(), Serdes.Long()));
    }

    private static void view(TestInputTopic<String, AdEvent> partition, String eventId, String campaignId, long millisAfterT0) {
        long time = T0.toEpochMilli() + millisAfterT0;
        partition.pipeInput(eventId, new AdEvent(AdStream.VIEWS, eventId, "ad-" + campaignId, campaignId, null, time), time);
    }
}
