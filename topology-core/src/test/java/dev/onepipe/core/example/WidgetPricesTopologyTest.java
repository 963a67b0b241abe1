package dev.onepipe.core.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.onepipe.core.deadletter.DeadLetter;
import dev.onepipe.core.testkit.DatasetInputTopic;
import dev.onepipe.core.testkit.DatasetOutputTopic;
import dev.onepipe.core.testkit.OnepipeTestDriver;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

class WidgetPricesTopologyTest {

    private static final Instant NOON = Instant.parse("2024-01-01T12:00:00Z");

    private static OnepipeTestDriver driver() {
        return OnepipeTestDriver.builder(new WidgetPricesTopology())
                .registerDatasetResources("onepipe/datasets/widgets.json", "onepipe/datasets/widgets.avsc")
                .dataset("widgets")
                .set(WidgetPricesTopology.MAXIMUM_PRICE, 50)
                .build();
    }

    private static String widget(String id, double price) {
        return "{\"widget_id\": \"" + id + "\", \"version\": 3, \"updated_at\": \"2024-01-01T11:59:00Z\", \"name\": \"Tiny Gizmo\","
                + " \"price\": " + price + ", \"status\": \"ACTIVE\", \"tags\": [\"new\"], \"description\": null}";
    }

    @Test
    void registersItsOutputDatasetInProvision() {
        try (OnepipeTestDriver driver = driver()) {
            assertEquals("widget-prices", driver.catalog().dataset("widget-prices").orElseThrow().metadata().topic());
        }
    }

    @Test
    void keepsWidgetsAtOrBelowTheMaximumPriceAsWidgetPrices() {
        try (OnepipeTestDriver driver = driver()) {
            DatasetInputTopic widgets = driver.input("widgets");
            DatasetOutputTopic prices = driver.output("widget-prices");

            widgets.pipeJson(widget("w-1", 49.99), NOON);
            widgets.pipeJson(widget("w-2", 50.01), NOON);
            widgets.pipeJson(widget("w-3", 50.00), NOON);

            List<KeyValue<String, GenericRecord>> written = prices.readKeyValuesToList();
            assertEquals(List.of("w-1", "w-3"), written.stream().map(keyValue -> keyValue.key).toList());
            GenericRecord first = written.get(0).value;
            assertEquals("w-1", first.get("widget_id").toString());
            assertEquals(3L, first.get("version"));
            assertEquals("Tiny Gizmo", first.get("name").toString());
            assertEquals(49.99, first.get("price"));
            assertEquals(Instant.parse("2024-01-01T11:59:00Z").toEpochMilli(), first.get("updated_at"));
            assertTrue(driver.deadLetters("widgets").isEmpty());
        }
    }

    @Test
    void sendsNegativePricesAndUnreadableBytesToTheDeadLetterTopic() {
        try (OnepipeTestDriver driver = driver()) {
            DatasetInputTopic widgets = driver.input("widgets");
            widgets.pipeJson(widget("w-1", -5.0), NOON);
            byte[] garbage = {0x7f, 0x01, 0x02};
            widgets.pipeBytes("w-2".getBytes(StandardCharsets.UTF_8), garbage, NOON);

            List<DeadLetter> deadLetters = driver.deadLetters("widgets");
            assertEquals(List.of("NEGATIVE_PRICE", "WRONG_MAGIC_BYTE"), deadLetters.stream().map(DeadLetter::reason).toList());
            assertArrayEquals(garbage, deadLetters.get(1).value());
            assertEquals(2, driver.deadLetterCount());
            assertTrue(driver.output("widget-prices").isEmpty());
        }
    }
}
