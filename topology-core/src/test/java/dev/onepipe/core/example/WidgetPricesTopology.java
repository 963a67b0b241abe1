package dev.onepipe.core.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologyProvisioning;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.core.deadletter.DeadLetterException;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.RegistrationRequest;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;

/** Widgets priced at or below a maximum, projected to the dataset widget-prices: the README's worked example. */
public final class WidgetPricesTopology implements OnepipeTopology {

    public static final String OUTPUT_DATASET = "widget-prices";
    public static final String MAXIMUM_PRICE = "onepipe.widget-prices.maximum.price";
    /** The settings, declared once: {@code onepipe topologies} prints them, {@link #addTo} reads them typed. */
    static final ConfigDef SETTINGS = new ConfigDef()
            .define(MAXIMUM_PRICE, Type.DOUBLE, 100.0, Range.atLeast(0), Importance.HIGH, "Highest price kept.");

    @Override
    public String name() {
        return "widget-prices";
    }

    @Override
    public String description() {
        return "Widgets priced at or below a maximum, projected to the dataset " + OUTPUT_DATASET + ".";
    }

    @Override
    public List<TopologySetting> settings() {
        return TopologySetting.all(SETTINGS);
    }

    /** Registers the output dataset from its bundled metadata and schema, and creates its topic like the input's. */
    @Override
    public void provision(TopologyContext context, TopologyProvisioning provisioning) {
        DatasetVersion output = provisioning.registerDataset(RegistrationRequest.dataset(
                DatasetMetadata.fromJson(resource("datasets/widget-prices.json")), resource("datasets/widget-prices.avsc")));
        provisioning.createTopic(output.metadata().topic(), provisioning.partitions(context.inputTopic()), false);
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        DatasetStreams datasets = DatasetStreams.of(builder, context);
        double maximumPrice = TopologySetting.values(SETTINGS, context.config()).getDouble(MAXIMUM_PRICE);
        Schema priceSchema = datasets.schema(OUTPUT_DATASET);
        KStream<String, GenericRecord> prices = datasets.stream(context.target())
                .filter((widgetId, widget) -> (double) widget.get("price") <= maximumPrice)
                .mapValues(widget -> {
                    if ((double) widget.get("price") < 0) {
                        throw new DeadLetterException("NEGATIVE_PRICE", "price " + widget.get("price") + " is below zero");
                    }
                    GenericRecord price = new GenericData.Record(priceSchema);
                    for (String field : List.of("widget_id", "version", "name", "price", "updated_at")) {
                        price.put(field, widget.get(field));
                    }
                    return price;
                });
        datasets.to(prices, OUTPUT_DATASET);
    }

    private static String resource(String name) {
        try (InputStream input = WidgetPricesTopology.class.getClassLoader().getResourceAsStream(name)) {
            return new String(input.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
