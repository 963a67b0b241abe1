package dev.onepipe.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A SpecificRecord class for the widget-prices schema, written by hand as the Avro compiler would generate it: the
 * class name is the schema's full name, so Avro finds it when reading, and timestamps are {@link Instant}s.
 */
public final class WidgetPrice extends SpecificRecordBase {

    public static final Schema SCHEMA$ = parse();

    private CharSequence widgetId;
    private long version;
    private CharSequence name;
    private double price;
    private Instant updatedAt;

    private static Schema parse() {
        try (InputStream input = WidgetPrice.class.getClassLoader().getResourceAsStream("datasets/widget-prices.avsc")) {
            return new Schema.Parser().parse(input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WidgetPrice() {
    }

    public WidgetPrice(String widgetId, long version, String name, double price, Instant updatedAt) {
        this.widgetId = widgetId;
        this.version = version;
        this.name = name;
        this.price = price;
        this.updatedAt = updatedAt;
    }

    @Override
    public Schema getSchema() {
        return SCHEMA$;
    }

    @Override
    public Object get(int field) {
        switch (field) {
            case 0: return widgetId;
            case 1: return version;
            case 2: return name;
            case 3: return price;
            case 4: return updatedAt;
            default: throw new IndexOutOfBoundsException("Invalid index: " + field);
        }
    }

    @Override
    public void put(int field, Object value) {
        switch (field) {
            case 0: widgetId = (CharSequence) value; break;
            case 1: version = (Long) value; break;
            case 2: name = (CharSequence) value; break;
            case 3: price = (Double) value; break;
            case 4: updatedAt = (Instant) value; break;
            default: throw new IndexOutOfBoundsException("Invalid index: " + field);
        }
    }

    public String widgetId() {
        return widgetId.toString();
    }

    public double price() {
        return price;
    }
}
