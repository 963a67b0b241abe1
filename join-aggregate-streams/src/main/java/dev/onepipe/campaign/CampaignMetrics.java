package dev.onepipe.campaign;

import java.util.List;
import java.util.Objects;

import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;

/**
 * The metrics of one campaign in one window, as written to the output dataset and returned by queries.
 *
 * @param campaignName the campaign's name from the reference data; null when unknown
 */
public record CampaignMetrics(String campaignId, long windowStart, long windowEnd, long adsServed, long views, long clicks,
                              long distinctUsers, String campaignName) {

    public CampaignMetrics {
        Objects.requireNonNull(campaignId, "campaignId");
    }

    public static CampaignMetrics of(String campaignId, long windowStart, long windowEnd, CampaignWindowAggregate aggregate) {
        return new CampaignMetrics(campaignId, windowStart, windowEnd, aggregate.served(), aggregate.views(), aggregate.clicks(),
                aggregate.distinctUsers(), null);
    }

    /** Clicks per view, 0 without views (may exceed 1: a click needs no view in the same window). */
    public double clickThroughRate() {
        return views == 0 ? 0.0 : (double) clicks / views;
    }

    public CampaignMetrics named(String name) {
        return new CampaignMetrics(campaignId, windowStart, windowEnd, adsServed, views, clicks, distinctUsers, name);
    }

    /** The dataset's canonical key: the unique key (campaign_id, window_start), see {@link UniqueKeyEncoder}. */
    public String key() {
        return key(campaignId, windowStart);
    }

    public static String key(String campaignId, long windowStart) {
        return UniqueKeyEncoder.join(List.of(campaignId, Long.toString(windowStart)));
    }

    /** The record of the output dataset, in {@code schema} (the registered version); fields it lacks are left out. */
    public GenericRecord toRecord(Schema schema) {
        GenericRecordBuilder builder = new GenericRecordBuilder(schema);
        set(builder, schema, "campaign_id", campaignId);
        set(builder, schema, "window_start", windowStart);
        set(builder, schema, "window_end", windowEnd);
        set(builder, schema, "ads_served", adsServed);
        set(builder, schema, "views", views);
        set(builder, schema, "clicks", clicks);
        set(builder, schema, "distinct_users", distinctUsers);
        set(builder, schema, "click_through_rate", clickThroughRate());
        set(builder, schema, "campaign_name", campaignName);
        return builder.build();
    }

    private static void set(GenericRecordBuilder builder, Schema schema, String field, Object value) {
        if (schema.getField(field) != null) {
            builder.set(field, value);
        }
    }

    /** Reads a record of the output dataset. */
    public static CampaignMetrics fromRecord(GenericRecord record) {
        Object name = record.getSchema().getField("campaign_name") == null ? null : record.get("campaign_name");
        return new CampaignMetrics(record.get("campaign_id").toString(), (Long) record.get("window_start"),
                (Long) record.get("window_end"), (Long) record.get("ads_served"), (Long) record.get("views"),
                (Long) record.get("clicks"), (Long) record.get("distinct_users"), name == null ? null : name.toString());
    }
}
