package dev.onepipe.core.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One line of progress on the console while a long step works ({@code producing widgets 45,000/100,000
 * 12,300/s}). On a terminal the line is rewritten in place; otherwise (CI, pipes) a line is printed at most
 * every few seconds so logs stay short.
 */
public final class ProgressLine {

    private static final long TERMINAL_INTERVAL_NANOS = 200_000_000L;
    private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastPrinted = started;
    private int lastLength;

    public ProgressLine(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = System.console() != null;
    }

    /** Reports that {@code done} of the total are done; prints only when it is time to. */
    public void update(long done) {
        long now = System.nanoTime();
        if (now - lastPrinted < (terminal ? TERMINAL_INTERVAL_NANOS : LOG_INTERVAL_NANOS)) {
            return;
        }
        lastPrinted = now;
        print(done, now, false);
    }

    /** Prints the final state and ends the line. */
    public void finish(long done) {
        print(done, System.nanoTime(), true);
    }

    private void print(long done, long now, boolean last) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        String text = String.format(Locale.ROOT, "  %s %,d%s  %,.0f/s%s", label, done, total > 0 ? String.format(Locale.ROOT, "/%,d", total) : "",
                done / seconds, last ? String.format(Locale.ROOT, "  in %.1f s", seconds) : "");
        if (terminal) {
            String padding = " ".repeat(Math.max(0, lastLength - text.length()));
            out.print("\r" + text + padding + (last ? System.lineSeparator() : ""));
            lastLength = text.length();
        } else {
            out.println(text);
        }
        out.flush();
    }
}
