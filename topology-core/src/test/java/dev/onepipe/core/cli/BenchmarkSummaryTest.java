package dev.onepipe.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkSummaryTest {

    @TempDir
    Path directory;

    @Test
    void ratesRatiosAndTargetsAreWrittenAsJson() throws Exception {
        BenchmarkSummary summary = new BenchmarkSummary("archive", "records/s").parameter("records", 1000).parameter("partitions", 4);
        // 1,000 records of 2,000,000 bytes in 2 s: 500 records/s, 1.0 MB/s; in 4 s: 250 records/s
        BenchmarkSummary.Line reference = summary.line("reference", 1000, 2_000_000, 2.0, "note");
        BenchmarkSummary.Line measured = summary.line("measured", 1000, 2_000_000, 4.0, null);
        summary.ratio("measured / reference", measured, reference, 0.8);
        summary.ratio("reference / measured", reference, measured, null);
        summary.measure("p99", 1200L, "ms");
        Path file = directory.resolve("out").resolve("summary.json");

        summary.writeJson(file);

        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertEquals("archive", json.get("benchmark").asText());
        assertEquals("records/s", json.get("unit").asText());
        assertEquals(4, json.get("parameters").get("partitions").asInt());
        assertEquals(500.0, json.get("lines").get(0).get("perSecond").asDouble(), 1e-9);
        assertEquals(1.0, json.get("lines").get(0).get("megabytesPerSecond").asDouble(), 1e-9);
        assertEquals(250.0, json.get("lines").get(1).get("perSecond").asDouble(), 1e-9);
        assertEquals(0.5, json.get("ratios").get(0).get("value").asDouble(), 1e-9);
        assertFalse(json.get("ratios").get(0).get("met").asBoolean());
        assertEquals(2.0, json.get("ratios").get(1).get("value").asDouble(), 1e-9);
        assertTrue(json.get("ratios").get(1).get("target").isNull());
        assertEquals(1200, json.get("measures").get(0).get("value").asLong());
    }

    @Test
    void theTableShowsEachLineAndWhetherTargetsAreMet() {
        BenchmarkSummary summary = new BenchmarkSummary("campaign-metrics", "events/s");
        BenchmarkSummary.Line peer = summary.rate("peer", 1000.0, 10.0, null);
        BenchmarkSummary.Line ours = summary.rate("ours", 1500.0, 6.7, "first to last commit");
        summary.ratio("ours / peer", ours, peer, 1.0);
        StringWriter text = new StringWriter();

        summary.print(new PrintWriter(text));

        String printed = text.toString();
        assertTrue(printed.contains("1,500"), printed);
        assertTrue(printed.contains("first to last commit"), printed);
        assertTrue(printed.contains("ratio ours / peer: 1.50 (target >= 1.00: met)"), printed);
    }
}
