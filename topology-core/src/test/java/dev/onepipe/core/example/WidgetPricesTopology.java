package dev.onepipe.core.example;

import java.util.List;

import dev.onepipe.core.OnepipeTopology;
import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.TopologySetting;
import dev.onepipe.core.dataset.DatasetStreams;
import dev.onepipe.core.deadletter.DeadLetterException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;

/** Widgets priced at or below a maximum, projected to the dataset widget-prices: the README's worked example. */
public final class WidgetPricesTopology implements OnepipeTopology {

    public static final String OUTPUT_DATASET = "widget-prices";
    public static final String MAXIMUM_PRICE = "onepipe.widget-prices.maximum.price";

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
        return List.of(TopologySetting.of(MAXIMUM_PRICE, 100, "Highest price kept."));
    }

    @Override
    public void addTo(StreamsBuilder builder, TopologyContext context) {
        DatasetStreams datasets = DatasetStreams.of(builder, context);
        double maximumPrice = Double.parseDouble(context.config().require(MAXIMUM_PRICE));
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
}
