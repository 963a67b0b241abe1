package dev.onepipe.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Partials of the two-stage aggregation merge and retract exactly, distinct users included; the encodings round-trip. */
class CampaignWindowAggregateTest {

    private static AdEvent serve(String eventId, String user) {
        return new AdEvent(AdStream.SERVED, eventId, "ad-" + eventId, "campaign-1", user, 0);
    }

    @Test
    void partialsWithTheSameUserMergeToOneDistinctUserAndRetractExactly() {
        CampaignWindowAggregate first = new CampaignWindowAggregate().add(serve("1", "alice")).add(serve("2", "bob"));
        CampaignWindowAggregate second = new CampaignWindowAggregate().add(serve("3", "alice"))
                .add(new AdEvent(AdStream.VIEWS, "v", "ad-1", "campaign-1", null, 0))
                .add(new AdEvent(AdStream.CLICKS, "c", "ad-1", "campaign-1", null, 0));
        CampaignWindowAggregate merged = new CampaignWindowAggregate().merge(first).merge(second);
        assertEquals(3, merged.served());
        assertEquals(2, merged.distinctUsers());
        assertEquals(1, merged.views());
        assertEquals(1, merged.clicks());

        merged.subtract(second);
        assertEquals(first, merged);
        merged.subtract(first);
        assertEquals(new CampaignWindowAggregate(), merged);
    }

    @Test
    void encodingsRoundTrip() {
        CampaignWindowAggregate aggregate = new CampaignWindowAggregate().add(serve("1", "alice")).add(serve("2", "alice"));
        CampaignWindowAggregateSerde aggregates = new CampaignWindowAggregateSerde();
        assertEquals(aggregate, aggregates.deserializer().deserialize("t", aggregates.serializer().serialize("t", aggregate)));

        SaltedPartial partial = new SaltedPartial(3, 60_000, aggregate);
        SaltedPartialSerde partials = new SaltedPartialSerde();
        assertEquals(partial, partials.deserializer().deserialize("t", partials.serializer().serialize("t", partial)));

        AdEvent view = new AdEvent(AdStream.VIEWS, "view-1", "ad-1", null, null, 1_704_067_200_123L);
        AdEventSerde events = new AdEventSerde();
        assertEquals(view, events.deserializer().deserialize("t", events.serializer().serialize("t", view)));
        assertEquals("campaign-1", SaltedPartial.campaignOf(SaltedPartial.saltedKey("campaign-1", 7)));
        assertEquals(7, SaltedPartial.saltOf(SaltedPartial.saltedKey("campaign#1", 7)));
    }
}
