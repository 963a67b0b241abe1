package dev.onepipe.metadata;

import static dev.onepipe.metadata.TestRegistry.WIDGETS_V1;
import static dev.onepipe.metadata.TestRegistry.WIDGETS_V2;
import static dev.onepipe.metadata.TestRegistry.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class MetadataCatalogTest {

    @Test
    void looksUpByIdByDatasetVersionAndByTopic() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        register(catalog, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        assertEquals("widgets-value", catalog.schemaById(2).orElseThrow().subject());
        assertEquals(2, catalog.schemaForDataset("widgets", 2).orElseThrow().id());
        assertEquals(1, catalog.schemaForDataset("widgets", 1).orElseThrow().id());
        assertEquals(2, catalog.latestSchemaForDataset("widgets").orElseThrow().version());
        assertEquals("widgets", catalog.datasetForTopic("widgets").orElseThrow().name());
        assertEquals(List.of("widgets-value"), catalog.subjects());
        assertEquals(List.of("widgets"), catalog.datasetNames());
        assertEquals(Optional.empty(), catalog.schemaById(3));
        assertEquals(2, catalog.maximumSchemaId());
    }

    @Test
    void sharesOneReaderPerWriterAndReaderPair() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        register(catalog, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        assertSame(catalog.genericReader(1, 2).orElseThrow(), catalog.genericReader(1, 2).orElseThrow());
        assertTrue(catalog.genericReader(2, 1).orElseThrow() != catalog.genericReader(1, 2).orElseThrow());
        assertSame(catalog.schemaById(1).orElseThrow().schema(), catalog.genericReader(1, 2).orElseThrow().getSchema());
    }

    @Test
    void softDeleteKeepsTheParsedSchemaObject() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        final Object before = catalog.schemaById(1).orElseThrow().schema();
        register(catalog, RegistrationRequest.deleteSchemaVersion("widgets-value", 1));
        assertTrue(catalog.schemaById(1).orElseThrow().deleted());
        assertSame(before, catalog.schemaById(1).orElseThrow().schema());
        assertEquals(Optional.empty(), catalog.latestSchemaVersion("widgets-value"));
    }

    @Test
    void tombstoneRemovesAnEntryButNotTheHighestIdSeen() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        catalog.apply(MetadataKey.schema("widgets-value", 1).toBytes(), null);
        assertEquals(Optional.empty(), catalog.schemaById(1));
        assertEquals(1, catalog.maximumSchemaId());
        catalog.apply(MetadataKey.dataset("widgets", 1).toBytes(), null);
        assertEquals(Optional.empty(), catalog.dataset("widgets"));
        assertEquals(Optional.empty(), catalog.datasetForTopic("widgets"));
    }

    @Test
    void entriesMayArriveInAnyOrder() {
        final MetadataCatalog source = TestRegistry.catalogWithWidgets();
        register(source, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        final RegistrationPlan plan = TestRegistry.planner().plan(new MetadataCatalog(), List.of(
            RegistrationRequest.dataset(TestRegistry.widgets(), WIDGETS_V1),
            RegistrationRequest.datasetSchema("widgets", WIDGETS_V2)));
        final MetadataCatalog reversed = new MetadataCatalog();
        final List<MetadataRecord> records = plan.records();
        for (int index = records.size() - 1; index >= 0; index--) {
            reversed.apply(records.get(index));
        }
        assertEquals(2, reversed.latestSchemaForDataset("widgets").orElseThrow().version());
        assertEquals(2, reversed.maximumSchemaId());
    }

    @Test
    void waitsBrieflyForAnIdNewerThanAnyKnown() throws Exception {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        final RegistrationPlan next = TestRegistry.planner().plan(catalog,
            RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        final CompletableFuture<Optional<SchemaVersion>> waiting =
            CompletableFuture.supplyAsync(() -> catalog.awaitSchemaById(2, Duration.ofSeconds(10)));
        Thread.sleep(100);
        assertTrue(!waiting.isDone());
        next.records().forEach(catalog::apply);
        assertEquals(2, waiting.get(5, TimeUnit.SECONDS).orElseThrow().id());

        final long started = System.nanoTime();
        assertEquals(Optional.empty(), catalog.awaitSchemaById(3, Duration.ofMillis(200)));
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(190));
    }

    @Test
    void doesNotWaitForAnIdAtOrBelowTheHighestKnown() {
        final MetadataCatalog catalog = TestRegistry.catalogWithWidgets();
        register(catalog, RegistrationRequest.datasetSchema("widgets", WIDGETS_V2));
        catalog.apply(MetadataKey.schema("widgets-value", 1).toBytes(), null);
        final long started = System.nanoTime();
        assertEquals(Optional.empty(), catalog.awaitSchemaById(1, Duration.ofSeconds(10)));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1));
    }
}
