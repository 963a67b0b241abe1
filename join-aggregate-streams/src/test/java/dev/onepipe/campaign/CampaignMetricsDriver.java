package dev.onepipe.campaign;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.dataset.DroppedRecordMetrics;
import dev.onepipe.core.testkit.DatasetInputTopic;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.testdata.BotIpBlocklist;
import dev.onepipe.testdata.CampaignWindow;
import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The campaign-metrics topology in an {@link OnepipeTestDriver}, with the ad datasets registered (the output dataset is
 * registered by the topology's own provisioning, which the test kit runs offline).
 */
final class CampaignMetricsDriver implements AutoCloseable {

    static final String FLUSH_CAMPAIGN = "zz-flush";
    static final String OUTPUT = CampaignMetricsSettings.DEFAULT_OUTPUT_DATASET;

    private final OnepipeTestDriver driver;
    private final Duration windowSize;
    private final Duration grace;
    private long latestEventTime;
    private int flushes;

    CampaignMetricsDriver(Map<String, String> settings) {
        OnepipeTestDriver.Builder builder = builder(new CampaignMetricsTopology(), SampleDatasets.AD_SERVED,
                List.of(SampleDatasets.AD_SERVED, SampleDatasets.AD_VIEWS, SampleDatasets.AD_CLICKS, SampleDatasets.CAMPAIGNS));
        settings.forEach(builder::set);
        driver = builder.build();
        CampaignMetricsSettings parsed = CampaignMetricsSettings.from(driver.context());
        windowSize = parsed.windowSize();
        grace = parsed.grace();
    }

    /** A test kit for {@code topology} on {@code dataset}, with the sample {@code datasets} registered. */
    static OnepipeTestDriver.Builder builder(OnepipeTopology topology, String dataset, List<String> datasets) {
        OnepipeTestDriver.Builder builder = OnepipeTestDriver.builder(topology).dataset(dataset);
        for (String name : datasets) {
            builder.register(RegistrationRequest.dataset(DatasetMetadata.fromJson(SampleDatasets.metadataJson(name)), SampleDatasets.schema(name)));
        }
        return builder;
    }

    /** Pipes a generated record to its dataset at its timestamp: its value, or its corrupt bytes. */
    static void pipe(OnepipeTestDriver driver, GeneratedRecord record) {
        DatasetInputTopic input = driver.input(record.dataset());
        Instant timestamp = Instant.ofEpochMilli(record.timestampMillis());
        if (record.isCorrupt()) {
            byte[] bytes = record.corruptBytes(driver.catalog().latestSchemaForDataset(record.dataset()).orElseThrow().id());
            input.pipeBytes(record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), bytes, timestamp);
        } else {
            input.pipe(record.key(), record.value(), timestamp);
        }
    }

    void pipe(GeneratedRecord record) {
        latestEventTime = Math.max(latestEventTime, record.timestampMillis());
        pipe(driver, record);
    }

    /** One second of wall-clock time: the joins look for partners they gave up on at most once a second. */
    void advanceWallClock() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
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
            advanceWallClock();
            pipe(AdRecords.served("flush-served-" + flushes, "ad-flush-" + flushes, FLUSH_CAMPAIGN, at));
            pipe(AdRecords.view("flush-view-" + flushes, "ad-flush-" + flushes, at));
            pipe(AdRecords.click("flush-click-" + flushes, "ad-flush-" + flushes, at));
        }
    }

    void block(String entry) {
        blocklist().pipeInput(entry, "bot", OnepipeTestDriver.DEFAULT_START_TIME);
    }

    /** The bot list the generators and tallies use, as blocklist entries. */
    void blockStandardBots() {
        BotIpBlocklist.standard().entries().forEach(entry -> block(BotFilter.canonicalEntry(entry)));
    }

    void unblock(String entry) {
        blocklist().pipeInput(entry, null, OnepipeTestDriver.DEFAULT_START_TIME);
    }

    /** Every output record so far, in order, without the flush campaign. */
    List<CampaignMetrics> outputRecords() {
        return driver.output(OUTPUT).readRecordsToList().stream()
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
        return driver.testDriver().createOutputTopic(topic, new StringDeserializer(), new StringDeserializer()).readRecordsToList().stream()
                .map(record -> RoutedEvents.read(record.value())).toList();
    }

    long dropped(AdStream stream, DropReason reason) {
        return DroppedRecordMetrics.total(driver.metrics(), stream.label(), reason.metricName());
    }

    private TestInputTopic<String, String> blocklist() {
        return driver.testDriver().createInputTopic(CampaignMetricsSettings.DEFAULT_BLOCKLIST_TOPIC, new StringSerializer(), new StringSerializer());
    }

    OnepipeTestDriver testKit() {
        return driver;
    }

    @Override
    public void close() {
        driver.close();
    }
}
