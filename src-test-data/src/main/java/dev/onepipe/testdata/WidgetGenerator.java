package dev.onepipe.testdata;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Seeded, deterministic changelog of the {@code widgets} dataset.
 *
 * <p>Each first send is the next version of one widget (versions count up from 1 per widget, picked with
 * hot-key skew), stamped with an event time that moves evenly from the start time across the time span.
 * Defects, all controlled by {@link WidgetGeneratorConfig}:
 * <ul>
 *   <li>duplicate: an exact re-send of one of the last {@value #RECENT_FIRST_SENDS} first sends;</li>
 *   <li>out of order: version v is emitted right after version v+1 of the same widget;</li>
 *   <li>late: {@code updated_at} is {@code lateByMillis/2 .. lateByMillis} before the generation clock;</li>
 *   <li>corrupt: broken bytes emitted just before the valid record they copy, with the same key and time.</li>
 * </ul>
 * Emits exactly {@code recordCount} records, each one added to {@link #tally()} as it is emitted.
 */
public final class WidgetGenerator implements Iterator<GeneratedRecord> {

    static final int RECENT_FIRST_SENDS = 32;

    private static final String[] ADJECTIVES =
        {"Blue", "Compact", "Deluxe", "Heavy", "Quiet", "Rapid", "Smart", "Tiny", "Golden", "Modular"};
    private static final String[] NOUNS =
        {"Sprocket", "Gizmo", "Flange", "Gadget", "Lever", "Bracket", "Valve", "Spindle", "Coupler", "Hinge"};
    private static final String[] TAGS =
        {"new", "sale", "eco", "bestseller", "limited", "imported", "refurbished", "bundle"};
    private static final String[] DESCRIPTIONS = {
        "Fits every standard mount.",
        "Rated for outdoor use.",
        "Ships flat, assembles in minutes.",
        "Backed by a two-year warranty.",
        "Made from recycled aluminium."
    };

    private final WidgetGeneratorConfig config;
    private final Schema schema;
    private final Schema statusSchema;
    private final SplittableRandom random;
    private final ZipfDistribution widgetPicker;
    private final WidgetState[] widgets;
    private final double duplicateProbability;
    private final double outOfOrderPairProbability;
    private final double corruptCopyProbability;
    private final long slotMillis;
    private final Deque<GeneratedRecord> pending = new ArrayDeque<>();
    private final GeneratedRecord[] recentFirstSends = new GeneratedRecord[RECENT_FIRST_SENDS];
    private final WidgetTally tally;
    private int recentCount;
    private int recentNext;
    private long emitted;

    public WidgetGenerator(final WidgetGeneratorConfig config) {
        this.config = config;
        this.schema = SampleDatasets.schema(SampleDatasets.WIDGETS);
        this.statusSchema = schema.getField("status").schema();
        this.random = new SplittableRandom(config.seed());
        this.widgetPicker = new ZipfDistribution(config.widgetCount(), config.zipfExponent());
        this.widgets = new WidgetState[config.widgetCount()];
        this.tally = new WidgetTally(config.gracePeriodMillis());
        this.corruptCopyProbability = CorruptRecordFactory.copyProbability(config.corruptRate());
        // An out-of-order pair is two first sends of which one is out of order: q' / (1 + q') = outOfOrderRate.
        this.outOfOrderPairProbability = config.outOfOrderRate() / (1.0 - config.outOfOrderRate());
        // Duplicates must be duplicateRate of all records, i.e. duplicateRate / (1 - corruptRate) of valid
        // records; each draw that is not a duplicate yields 1 + q' valid records on average.
        final double duplicateShareOfValid = config.duplicateRate() / (1.0 - config.corruptRate());
        this.duplicateProbability = duplicateShareOfValid * (1.0 + outOfOrderPairProbability)
            / (1.0 + duplicateShareOfValid * outOfOrderPairProbability);
        this.slotMillis = Math.max(1L, config.timeSpanMillis() / Math.max(1L, config.recordCount()));
    }

    /** Id of the widget of the given skew rank; rank 0 is the hottest. */
    public static String widgetId(final int rank) {
        return String.format("widget-%06d", rank + 1);
    }

    public WidgetGeneratorConfig config() {
        return config;
    }

    /** Expected results over the records emitted so far. */
    public WidgetTally tally() {
        return tally;
    }

    @Override
    public boolean hasNext() {
        return emitted < config.recordCount();
    }

    @Override
    public GeneratedRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("All " + config.recordCount() + " records were emitted");
        }
        GeneratedRecord record;
        if (!pending.isEmpty()) {
            record = pending.removeFirst();
        } else {
            final long remaining = config.recordCount() - emitted;
            final GeneratedRecord valid = nextValid(remaining);
            // Room is needed for the copy, the valid record and anything held back behind it.
            if (remaining - pending.size() >= 2 && random.nextDouble() < corruptCopyProbability) {
                pending.addFirst(valid);
                record = CorruptRecordFactory.corruptCopyOf(valid, random);
            } else {
                record = valid;
            }
        }
        emitted++;
        tally.add(record);
        return record;
    }

    /** Emits every remaining record. */
    public List<GeneratedRecord> generateAll() {
        final List<GeneratedRecord> records = new ArrayList<>();
        while (hasNext()) {
            records.add(next());
        }
        return records;
    }

    private GeneratedRecord nextValid(final long remaining) {
        final long clock = config.startTimeMillis()
            + Math.round((double) emitted * config.timeSpanMillis() / config.recordCount());
        if (recentCount > 0 && random.nextDouble() < duplicateProbability) {
            final GeneratedRecord original = recentFirstSends[random.nextInt(recentCount)];
            final GenericRecord copy = GenericData.get().deepCopy(schema, original.value());
            return GeneratedRecord.valid(SampleDatasets.WIDGETS, original.key(), original.timestampMillis(), copy);
        }
        final WidgetState widget = widgetState(widgetPicker.sample(random));
        if (remaining >= 2 && random.nextDouble() < outOfOrderPairProbability) {
            final GeneratedRecord earlier = firstSend(widget, clock);
            final GeneratedRecord later = firstSend(widget, clock + 1 + random.nextLong(slotMillis));
            pending.addLast(earlier);
            return later;
        }
        return firstSend(widget, clock);
    }

    private GeneratedRecord firstSend(final WidgetState widget, final long clock) {
        long updatedAt = clock;
        if (random.nextDouble() < config.lateRate()) {
            final long lateBy = config.lateByMillis() / 2 + random.nextLong(config.lateByMillis() / 2 + 1);
            updatedAt = Math.max(0L, clock - lateBy);
        }
        widget.advance(random);
        final GenericRecord value = new GenericData.Record(schema);
        value.put("widget_id", widget.id);
        value.put("version", widget.version);
        value.put("updated_at", updatedAt);
        value.put("name", widget.name);
        value.put("price", widget.price);
        value.put("status", new GenericData.EnumSymbol(statusSchema, widget.status));
        final GenericData.Array<String> tags = new GenericData.Array<>(widget.tags.size(), schema.getField("tags").schema());
        tags.addAll(widget.tags);
        value.put("tags", tags);
        value.put("description", widget.description);
        final GeneratedRecord record = GeneratedRecord.valid(SampleDatasets.WIDGETS, widget.id, updatedAt, value);
        recentFirstSends[recentNext] = record;
        recentNext = (recentNext + 1) % RECENT_FIRST_SENDS;
        recentCount = Math.min(recentCount + 1, RECENT_FIRST_SENDS);
        return record;
    }

    private WidgetState widgetState(final int rank) {
        if (widgets[rank] == null) {
            widgets[rank] = new WidgetState(widgetId(rank));
        }
        return widgets[rank];
    }

    /** The current version of one widget; each call to {@link #advance} makes the next version. */
    private static final class WidgetState {

        private final String id;
        private long version;
        private String name;
        private double price;
        private String status;
        private List<String> tags = List.of();
        private String description;

        private WidgetState(final String id) {
            this.id = id;
        }

        private void advance(final SplittableRandom random) {
            version++;
            if (version == 1) {
                name = ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " " + NOUNS[random.nextInt(NOUNS.length)];
                price = cents(1.0 + random.nextDouble() * 499.0);
                status = random.nextBoolean() ? "DRAFT" : "ACTIVE";
            } else {
                if (random.nextInt(10) == 0) {
                    name = ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " " + NOUNS[random.nextInt(NOUNS.length)];
                }
                price = Math.max(0.01, cents(price * (0.9 + random.nextDouble() * 0.2)));
                final int statusDraw = random.nextInt(10);
                status = statusDraw < 8 ? "ACTIVE" : statusDraw == 8 ? "DISCONTINUED" : "DRAFT";
            }
            final List<String> newTags = new ArrayList<>();
            for (final String tag : TAGS) {
                if (random.nextInt(TAGS.length) < 1) {
                    newTags.add(tag);
                }
            }
            tags = newTags;
            description = random.nextInt(10) < 3 ? null : DESCRIPTIONS[random.nextInt(DESCRIPTIONS.length)];
        }

        private static double cents(final double amount) {
            return Math.round(amount * 100.0) / 100.0;
        }
    }
}
