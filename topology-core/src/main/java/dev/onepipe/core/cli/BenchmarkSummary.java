package dev.onepipe.core.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one summary of an {@code onepipe bench ...} run: a table of lines (each a way of doing the same work, with its
 * rate), the ratios between them with their targets, and other measures (latency, heap); printed as a table and
 * written as JSON ({@code --output <file>}) so that runs can be compared.
 *
 * <p>JSON shape: {@code {"benchmark", "finishedAt" (ISO-8601, when the summary was made), "processors", "java", "unit" (e.g. "records/s"),
 * "parameters": {name: value}, "lines": [{"line", "perSecond", "megabytesPerSecond" (null if not measured),
 * "seconds", "note"}], "ratios": [{"ratio", "value", "target" (null if none), "met"}], "measures": [{"measure",
 * "value", "unit"}]}}. Rates are per second of wall-clock time; megabytes are 10^6 bytes.
 */
public final class BenchmarkSummary {

    /** One way of doing the benchmark's work and how fast it went. */
    public record Line(String line, double perSecond, Double megabytesPerSecond, double seconds, String note) {
    }

    /** A ratio of two lines; {@code target} is the least value wanted, {@code null} if none. */
    public record Ratio(String ratio, double value, Double target, Boolean met) {
    }

    /** Any other number of the run, with its unit (ms, MB, windows). */
    public record Measure(String measure, Object value, String unit) {
    }

    private final String benchmark;
    private final String unit;
    private final Instant finishedAt = Instant.now();
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final List<Line> lines = new ArrayList<>();
    private final List<Ratio> ratios = new ArrayList<>();
    private final List<Measure> measures = new ArrayList<>();

    /**
     * @param benchmark the command, e.g. {@code archive}
     * @param unit      what the rates count, e.g. {@code records/s}
     */
    public BenchmarkSummary(String benchmark, String unit) {
        this.benchmark = benchmark;
        this.unit = unit;
    }

    public BenchmarkSummary parameter(String name, Object value) {
        parameters.put(name, value);
        return this;
    }

    /**
     * Adds a line: {@code count} units of work done in {@code seconds}.
     *
     * @param bytes the bytes the work covered, or a negative number if not measured
     */
    public Line line(String name, long count, long bytes, double seconds, String note) {
        double duration = Math.max(1e-9, seconds);
        Line line = new Line(name, count / duration, bytes < 0 ? null : bytes / 1e6 / duration, seconds, note);
        lines.add(line);
        return line;
    }

    /** Adds a line whose rate was measured directly (e.g. from first to last commit), without a byte count. */
    public Line rate(String name, double perSecond, double seconds, String note) {
        Line line = new Line(name, perSecond, null, seconds, note);
        lines.add(line);
        return line;
    }

    /** Adds {@code numerator.perSecond / denominator.perSecond}, with the least value wanted or {@code null}. */
    public Ratio ratio(String name, Line numerator, Line denominator, Double target) {
        double value = numerator.perSecond() / Math.max(1e-9, denominator.perSecond());
        Ratio ratio = new Ratio(name, value, target, target == null ? null : value >= target);
        ratios.add(ratio);
        return ratio;
    }

    public BenchmarkSummary measure(String name, Object value, String unit) {
        measures.add(new Measure(name, value, unit));
        return this;
    }

    /** Prints the table, the ratios and the measures. */
    public void print(PrintWriter out) {
        out.println();
        out.printf(Locale.ROOT, "onepipe bench %s, %s%n", benchmark, parameters.isEmpty() ? "" : parameters.toString()
                .replaceAll("^\\{|\\}$", ""));
        int width = Math.max(4, lines.stream().mapToInt(line -> line.line().length()).max().orElse(4));
        String format = "  %-" + width + "s  %14s  %9s  %8s  %s%n";
        out.printf(Locale.ROOT, format, "line", unit, "MB/s", "seconds", "");
        for (Line line : lines) {
            out.printf(Locale.ROOT, format, line.line(), String.format(Locale.ROOT, "%,.0f", line.perSecond()),
                    line.megabytesPerSecond() == null ? "-" : String.format(Locale.ROOT, "%,.1f", line.megabytesPerSecond()),
                    String.format(Locale.ROOT, "%.1f", line.seconds()), line.note() == null ? "" : line.note());
        }
        for (Ratio ratio : ratios) {
            out.printf(Locale.ROOT, "  ratio %s: %.2f%s%n", ratio.ratio(), ratio.value(), ratio.target() == null ? ""
                    : String.format(Locale.ROOT, " (target >= %.2f: %s)", ratio.target(), ratio.met() ? "met" : "NOT met"));
        }
        for (Measure measure : measures) {
            out.printf(Locale.ROOT, "  %s: %s%s%n", measure.measure(), measure.value() instanceof Number number
                    ? String.format(Locale.ROOT, number instanceof Double || number instanceof Float ? "%,.1f" : "%,d", number) : measure.value(),
                    measure.unit() == null || measure.unit().isEmpty() ? "" : " " + measure.unit());
        }
        out.flush();
    }

    /**
     * Writes the summary as JSON to {@code file}, replacing it.
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    public void writeJson(Path file) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", benchmark);
        json.put("finishedAt", finishedAt.toString());
        json.put("processors", Runtime.getRuntime().availableProcessors());
        json.put("java", System.getProperty("java.version"));
        json.put("unit", unit);
        json.put("parameters", parameters);
        json.put("lines", lines);
        json.put("ratios", ratios);
        json.put("measures", measures);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the benchmark summary to " + file + ": " + e.getMessage(), e);
        }
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    public List<Ratio> ratios() {
        return List.copyOf(ratios);
    }
}
