package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.onepipe.core.dataset.DroppedRecordMetrics;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import dev.onepipe.testdata.YsbGenerator;
import dev.onepipe.testdata.YsbGeneratorConfig;
import dev.onepipe.testdata.YsbTally;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The ysb topology in a test driver: views per campaign per 10-second window equal the YSB generator's tally. */
class YsbTopologyTest {

    @Test
    void viewsPerCampaignWindowEqualTheTally() throws Exception {
        YsbGenerator generator = new YsbGenerator(YsbGeneratorConfig.builder().seed(3).eventCount(3_000).corruptRate(0.01).build());
        List<GeneratedRecord> events = generator.generateAll();
        YsbTally tally = generator.tally();
        GeneratedRecord unmapped = unmappedView(events);
        tally.add(unmapped);
        try (OnepipeTestDriver driver = CampaignMetricsDriver.builder(new YsbTopology(), SampleDatasets.YSB_EVENTS,
                List.of(SampleDatasets.YSB_EVENTS, SampleDatasets.YSB_CAMPAIGNS)).build()) {
            generator.campaignMappingRecords().forEach(record -> CampaignMetricsDriver.pipe(driver, record));
            events.forEach(record -> CampaignMetricsDriver.pipe(driver, record));
            CampaignMetricsDriver.pipe(driver, unmapped);
            long last = events.stream().mapToLong(GeneratedRecord::timestampMillis).max().orElseThrow();
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            CampaignMetricsDriver.pipe(driver, closingView(unmappedView(events), generator.campaignByAd().keySet().iterator().next(), last + 60_000));

            SortedMap<CampaignWindow, Long> views = new TreeMap<>();
            for (TestRecord<String, GenericRecord> record : driver.output("ysb-campaign-metrics").readRecordsToList()) {
                views.put(new CampaignWindow(record.value().get("campaign_id").toString(), (Long) record.value().get("window_start")),
                        (Long) record.value().get("views"));
            }
            assertEquals(tally.viewsPerCampaignWindow(), views);
            assertEquals(tally.unmappedViewCount(), DroppedRecordMetrics.total(driver.metrics(), YsbTopology.LABEL, DropReason.UNMAPPED_AD.metricName()));
            assertEquals(tally.corruptCount(), driver.deadLetters(SampleDatasets.YSB_EVENTS).size());
            assertEquals(tally.corruptCount(), DroppedRecordMetrics.total(driver.metrics(), YsbTopology.LABEL, DropReason.CORRUPT.metricName()));
        }
    }

    /** A copy of the last view, for an ad no campaign owns. */
    private static GeneratedRecord unmappedView(List<GeneratedRecord> events) {
        GeneratedRecord view = events.stream().filter(event -> !event.isCorrupt() && "view".equals(event.value().get("event_type").toString()))
                .reduce((first, second) -> second).orElseThrow();
        GenericRecord value = GenericData.get().deepCopy(view.value().getSchema(), view.value());
        value.put("event_id", "unmapped-view");
        value.put("ad_id", "ad-without-campaign");
        return GeneratedRecord.valid(SampleDatasets.YSB_EVENTS, "unmapped-view", view.timestampMillis(), value);
    }

    /** A view far ahead: it closes every window before it, and its own window stays open, so it is never published. */
    private static GeneratedRecord closingView(GeneratedRecord view, String adId, long time) {
        GenericRecord value = GenericData.get().deepCopy(view.value().getSchema(), view.value());
        value.put("event_id", "closing-view");
        value.put("ad_id", adId);
        value.put("event_time", time);
        return GeneratedRecord.valid(SampleDatasets.YSB_EVENTS, "closing-view", time, value);
    }
}
