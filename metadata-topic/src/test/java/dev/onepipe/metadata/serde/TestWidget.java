package dev.onepipe.metadata.serde;

import java.time.Instant;

import dev.onepipe.metadata.TestRegistry;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A SpecificRecord written the way avro-maven-plugin generates them (schema {@code WIDGETS_V2}, with a
 * {@code timestamp-millis} conversion to {@link Instant}), so the serdes are tested against real specific records.
 */
public final class TestWidget extends SpecificRecordBase {

    public static final Schema SCHEMA$ = new Schema.Parser().parse(TestRegistry.WIDGETS_V2
        .replace("\"namespace\": \"example\"", "\"namespace\": \"dev.onepipe.metadata.serde\"")
        .replace("\"name\": \"Widget\"", "\"name\": \"TestWidget\""));
    private static final SpecificData MODEL$ = new SpecificData();

    static {
        MODEL$.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    }

    private CharSequence widgetId;
    private CharSequence name;
    private Double price;
    private long version;
    private Instant updatedAt;
    private CharSequence color;

    public TestWidget() {
    }

    public TestWidget(final String widgetId, final String name, final Double price, final long version,
                      final Instant updatedAt, final String color) {
        this.widgetId = widgetId;
        this.name = name;
        this.price = price;
        this.version = version;
        this.updatedAt = updatedAt;
        this.color = color;
    }

    public static Schema getClassSchema() {
        return SCHEMA$;
    }

    @Override
    public SpecificData getSpecificData() {
        return MODEL$;
    }

    @Override
    public Schema getSchema() {
        return SCHEMA$;
    }

    @Override
    public Object get(final int field) {
        switch (field) {
            case 0: return widgetId;
            case 1: return name;
            case 2: return price;
            case 3: return version;
            case 4: return updatedAt;
            case 5: return color;
            default: throw new IndexOutOfBoundsException("Invalid index: " + field);
        }
    }

    @Override
    public void put(final int field, final Object value) {
        switch (field) {
            case 0: widgetId = (CharSequence) value; break;
            case 1: name = (CharSequence) value; break;
            case 2: price = (Double) value; break;
            case 3: version = (Long) value; break;
            case 4: updatedAt = (Instant) value; break;
            case 5: color = (CharSequence) value; break;
            default: throw new IndexOutOfBoundsException("Invalid index: " + field);
        }
    }

    @Override
    public org.apache.avro.Conversion<?> getConversion(final int field) {
        return field == 4 ? new TimeConversions.TimestampMillisConversion() : null;
    }

    public String widgetId() {
        return widgetId.toString();
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public String color() {
        return color.toString();
    }

    public long version() {
        return version;
    }
}
