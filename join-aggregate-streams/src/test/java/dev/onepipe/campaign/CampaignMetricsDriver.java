package dev.onepipe.campaign;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.onepipe.testdata.BotIpBlocklist;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.test.TestRecord;

/** The campaign-metrics topology in a {@link DatasetTopologyDriver}, with the ad datasets and the output registered. */
final class CampaignMetricsDriver implements AutoCloseable {

    static final String FLUSH_CAMPAIGN = "zz-flush";
    static final String OUTPUT = CampaignMetricsSettings.DEFAULT_OUTPUT_DATASET;

    private final DatasetTopologyDriver driver;
    private final Duration windowSize;
    private final Duration grace;
    private long latestEventTime;
    private int flushes;

    CampaignMetricsDriver(Map<String, String> settings) throws Exception {
        driver = new DatasetTopologyDriver(new CampaignMetricsTopology(), SampleDatasets.AD_SERVED,
                List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS),
                Map.of(BundledDataset.CAMPAIGN_METRICS, OUTPUT), settings);
        CampaignMetricsSettings parsed = CampaignMetricsSettings.from(driver.context());
        windowSize = parsed.windowSize();
        grace = parsed.grace();
    }

    void pipe(GeneratedRecord record) {
        latestEventTime = Math.max(latestEventTime, record.timestampMillis());
        driver.pipe(record);
    }

    /** One second of wall-clock time: the joins look for partners they gave up on at most once a second. */
    void advanceWallClock() {
        driver.advanceWallClock();
    }

    void pipeAll(List<GeneratedRecord> records) {
        records.forEach(this::pipe);
    }

    /**
     * Closes every window so far: twice, a serve of a campaign of its own with a view and a click, far enough ahead to
     * close the windows before it, including the second stage of the salted aggregation. Both sides of each join see
     * the new stream time, so the joins stop waiting for partners of earlier events.
     */
    void closeAllWindows() {
        long step = windowSize.toMillis() * 2 + grace.toMillis() * 2 + 1;
        for (int round = 0; round < 2; round++) {
            Instant at = Instant.ofEpochMilli(latestEventTime + step);
            flushes++;
            driver.advanceWallClock();
            pipe(AdRecords.served("flush-served-" + flushes, "ad-flush-" + flushes, FLUSH_CAMPAIGN, at));
            pipe(AdRecords.view("flush-view-" + flushes, "ad-flush-" + flushes, at));
            pipe(AdRecords.click("flush-click-" + flushes, "ad-flush-" + flushes, at));
        }
    }

    void block(String entry) {
        driver.stringInput(CampaignMetricsSettings.DEFAULT_BLOCKLIST_TOPIC).pipeInput(entry, "bot", DatasetTopologyDriver.WALL_CLOCK_START);
    }

    /** The bot list the generators and tallies use, as blocklist entries. */
    void blockStandardBots() {
        BotIpBlocklist.standard().entries().forEach(entry -> block(BotFilter.canonicalEntry(entry)));
    }

    void unblock(String entry) {
        driver.stringInput(CampaignMetricsSettings.DEFAULT_BLOCKLIST_TOPIC).pipeInput(entry, null, DatasetTopologyDriver.WALL_CLOCK_START);
    }

    /** Every output record so far, in order, without the flush campaign. */
    List<CampaignMetrics> outputRecords() {
        return driver.readDataset(OUTPUT).stream()
                .map(TestRecord::value)
                .map(CampaignMetrics::fromRecord)
                .filter(metrics -> !metrics.campaignId().equals(FLUSH_CAMPAIGN))
                .toList();
    }

    /** The latest output per campaign window, as the tally's types. */
    static SortedMap<CampaignWindow, CampaignMetrics> latest(List<CampaignMetrics> records) {
        SortedMap<CampaignWindow, CampaignMetrics> latest = new TreeMap<>();
        records.forEach(metrics -> latest.put(new CampaignWindow(metrics.campaignId(), metrics.windowStart()), metrics));
        return latest;
    }

    List<Map<String, Object>> routed(String topic) {
        return driver.readStrings(topic).stream().map(record -> RoutedEvents.read(record.value())).toList();
    }

    long dropped(AdStream stream, DropReason reason) {
        return DropMetrics.total(driver.driver().metrics(), stream.label(), reason);
    }

    DatasetTopologyDriver datasetDriver() {
        return driver;
    }

    @Override
    public void close() throws Exception {
        driver.close();
    }
}
