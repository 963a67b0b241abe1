package dev.onepipe.campaign;

import java.time.Instant;

import dev.onepipe.testdata.GeneratedRecord;
import dev.onepipe.testdata.SampleDatasets;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Hand-built ad events for fixtures: each record at an explicit instant. */
final class AdRecords {

    static final String HUMAN_IP = "10.0.0.7";

    private AdRecords() {
    }

    static GeneratedRecord served(String eventId, String adId, String campaignId, String userId, String ip, Instant at) {
        GenericRecord value = new GenericData.Record(SampleDatasets.schema(SampleDatasets.AD_SERVED));
        value.put("event_id", eventId);
        value.put("ad_id", adId);
        value.put("campaign_id", campaignId);
        value.put("business_id", "business-0001");
        value.put("user_id", userId);
        value.put("ip", ip);
        value.put("bid_micros", 100_000L);
        value.put("relevance_score", 0.5);
        value.put("placement", "search_top");
        value.put("served_at", at.toEpochMilli());
        return GeneratedRecord.valid(SampleDatasets.AD_SERVED, eventId, at.toEpochMilli(), value);
    }

    static GeneratedRecord served(String eventId, String adId, String campaignId, Instant at) {
        return served(eventId, adId, campaignId, "user-" + eventId, HUMAN_IP, at);
    }

    static GeneratedRecord view(String eventId, String adId, String ip, Instant at) {
        return reaction(SampleDatasets.AD_VIEWS, "viewed_at", eventId, adId, ip, at);
    }

    static GeneratedRecord view(String eventId, String adId, Instant at) {
        return view(eventId, adId, HUMAN_IP, at);
    }

    static GeneratedRecord click(String eventId, String adId, String ip, Instant at) {
        return reaction(SampleDatasets.AD_CLICKS, "clicked_at", eventId, adId, ip, at);
    }

    static GeneratedRecord click(String eventId, String adId, Instant at) {
        return click(eventId, adId, HUMAN_IP, at);
    }

    private static GeneratedRecord reaction(String dataset, String timeField, String eventId, String adId, String ip, Instant at) {
        GenericRecord value = new GenericData.Record(SampleDatasets.schema(dataset));
        value.put("event_id", eventId);
        value.put("ad_id", adId);
        value.put("user_id", "user-x");
        value.put("ip", ip);
        value.put(timeField, at.toEpochMilli());
        return GeneratedRecord.valid(dataset, eventId, at.toEpochMilli(), value);
    }
}
