package dev.onepipe.metadata;

import static dev.onepipe.metadata.TestRegistry.parse;
import static dev.onepipe.metadata.TestRegistry.planner;
import static dev.onepipe.metadata.TestRegistry.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Two schema texts that mean the same thing are one schema; texts that differ in meaning are not. */
class SchemaIdentityTest {

    private static String payment(final String amountType) {
        return "{\"type\":\"record\",\"name\":\"Payment\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"amount\",\"type\":" + amountType + "}]}";
    }

    private static void assertSame(final String first, final String second) {
        assertEquals(SchemaIdentity.of(parse(first)), SchemaIdentity.of(parse(second)));
    }

    private static void assertDifferent(final String first, final String second) {
        assertNotEquals(SchemaIdentity.of(parse(first)), SchemaIdentity.of(parse(second)));
    }

    @Test
    void decimalAttributeOrderIsTheSameSchemaAndRegistersNoSecondVersion() {
        final String precisionFirst =
            payment("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}");
        final String scaleFirst =
            payment("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"scale\":2,\"precision\":9}");
        final String logicalTypeLast =
            payment("{\"scale\":2,\"precision\":9,\"logicalType\":\"decimal\",\"type\":\"bytes\"}");
        assertSame(precisionFirst, scaleFirst);
        assertSame(precisionFirst, logicalTypeLast);

        final MetadataCatalog catalog = new MetadataCatalog();
        register(catalog, RegistrationRequest.schema("payments-value", precisionFirst));
        final RegistrationPlan plan = planner().plan(catalog, RegistrationRequest.schema("payments-value", scaleFirst));
        assertTrue(plan.result().accepted());
        assertTrue(plan.entries().isEmpty());
        assertFalse(plan.result().schemaVersionCreated());
        assertEquals(1, plan.result().schemaVersion().get().version());
        assertEquals(1, plan.result().schemaVersion().get().id());
    }

    @Test
    void customAndFixedDecimalAttributeOrderIsIgnoredAtEveryDepth() {
        final String nested = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"lines\",\"type\":"
            + "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Line\",\"fields\":["
            + "{\"name\":\"price\",\"type\":[\"null\",{\"type\":\"fixed\",\"name\":\"Price\",\"size\":8,"
            + "\"logicalType\":\"decimal\",\"precision\":12,\"scale\":3}],\"default\":null},"
            + "{\"name\":\"tags\",\"type\":{\"type\":\"map\",\"values\":\"string\",\"owner\":\"a\",\"pii\":false}}"
            + "]}}}]}";
        final String reordered = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"lines\",\"type\":"
            + "{\"items\":{\"name\":\"Line\",\"type\":\"record\",\"fields\":["
            + "{\"default\":null,\"name\":\"price\",\"type\":[\"null\",{\"scale\":3,\"precision\":12,"
            + "\"logicalType\":\"decimal\",\"size\":8,\"name\":\"Price\",\"type\":\"fixed\"}]},"
            + "{\"name\":\"tags\",\"type\":{\"pii\":false,\"owner\":\"a\",\"values\":\"string\",\"type\":\"map\"}}"
            + "]},\"type\":\"array\"}}]}";
        assertSame(nested, reordered);
        assertDifferent(nested, reordered.replace("\"scale\":3", "\"scale\":4"));
    }

    @Test
    void defaultsThatMeanTheSameValueAreTheSameSchema() {
        final String record = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[%s]}";
        assertSame(String.format(record, "{\"name\":\"ratio\",\"type\":\"double\",\"default\":1}"),
            String.format(record, "{\"name\":\"ratio\",\"type\":\"double\",\"default\":1.0}"));
        assertSame(String.format(record,
                "{\"name\":\"limits\",\"type\":{\"type\":\"map\",\"values\":\"int\"},\"default\":{\"a\":1,\"b\":2}}"),
            String.format(record,
                "{\"name\":\"limits\",\"type\":{\"type\":\"map\",\"values\":\"int\"},\"default\":{\"b\":2,\"a\":1}}"));
        assertDifferent(String.format(record, "{\"name\":\"ratio\",\"type\":\"double\",\"default\":1}"),
            String.format(record, "{\"name\":\"ratio\",\"type\":\"double\",\"default\":1.5}"));
    }

    @Test
    void aliasOrderIsIgnoredButFieldAndSymbolOrderAreNot() {
        assertSame("{\"type\":\"record\",\"name\":\"R\",\"aliases\":[\"A\",\"B\"],\"fields\":["
                + "{\"name\":\"x\",\"type\":\"int\",\"aliases\":[\"y\",\"z\"]}]}",
            "{\"type\":\"record\",\"name\":\"R\",\"aliases\":[\"B\",\"A\"],\"fields\":["
                + "{\"name\":\"x\",\"type\":\"int\",\"aliases\":[\"z\",\"y\"]}]}");
        assertDifferent("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}",
            "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"B\",\"A\"]}");
        assertDifferent(payment("[\"null\",\"string\"]"), payment("[\"string\",\"null\"]"));
    }

    @Test
    void docIsIgnoredButADocKeyInsideADefaultIsData() {
        assertSame(payment("{\"type\":\"string\",\"doc\":\"money\"}"), payment("\"string\""));
        final String record = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"m\",\"type\":"
            + "{\"type\":\"map\",\"values\":\"string\"},\"default\":{\"doc\":\"%s\"}}]}";
        assertDifferent(String.format(record, "a"), String.format(record, "b"));
    }
}
