package dev.onepipe.reconciliation;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import dev.onepipe.core.TopologyContext;
import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.config.OnepipeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code onepipe status}: every onepipe application's lag, rate and Burrow status over a window of samples. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lag, rate and status of every onepipe application (consumer groups named",
            "onepipe-*) and of any group given, by Burrow's consumer lag evaluation rules",
            "over a window of samples: OK; WARNING (offsets move, lag never shrinks);",
            "STALL (members, offset stuck, lag); STOP (no commit for longer than the",
            "window, lag); REWIND (offset went back). A lag of 1 that is only an",
            "exactly-once transaction marker counts as 0.",
            "",
            "A group given with --group that has no committed offsets (no such group, or it",
            "has not committed yet) is shown as UNKNOWN and named on a line of its own.",
            "",
            "Exit codes: 0 every group OK; 3 the worst is WARNING; 4 some group is STALL,",
            "STOP or REWIND; 2 a group given with --group has no committed offsets;",
            "1 failure."})
final class StatusCommand implements Callable<Integer> {

    static final int WARNING = 3;
    static final int ERROR = 4;
    static final int UNKNOWN_GROUP = 2;

    @Option(names = "--group", paramLabel = "<group id>", description = "Another consumer group to include. Repeatable.")
    List<String> groups = new ArrayList<>();

    @Option(names = "--samples", paramLabel = "<n>", defaultValue = "10",
            description = "Samples in the window (Burrow's default window is 10 commits): ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--interval", paramLabel = "<seconds>", defaultValue = "2",
            description = "Seconds between samples: ${DEFAULT-VALUE}.")
    double interval;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (samples < 1 || interval < 0) {
            throw new IllegalArgumentException("--samples must be at least 1 and --interval not negative");
        }
        OnepipeConfig config = options.config(Map.of());
        PrintWriter out = spec.commandLine().getOut();
        try (ConsumerGroupWatch watch = new ConsumerGroupWatch(ReconciliationClients.kafkaConfig(config), samples)) {
            for (int sample = 0; sample < samples; sample++) {
                if (sample > 0) {
                    Thread.sleep((long) (interval * 1000));
                }
                watch.sample(watch.groups(TopologyContext.APPLICATION_ID_PREFIX, groups), System.currentTimeMillis());
            }
            List<ConsumerGroupWatch.GroupStatus> statuses = watch.statuses(System.currentTimeMillis());
            Set<String> unknown = unknownGroups(statuses, groups);
            print(out, statuses, unknown);
            out.flush();
            return exitCode(statuses, unknown);
        }
    }

    /** The groups of {@code named} (given with {@code --group}) that have no committed offset among {@code statuses}. */
    static Set<String> unknownGroups(List<ConsumerGroupWatch.GroupStatus> statuses, Collection<String> named) {
        Set<String> unknown = new TreeSet<>(named);
        statuses.stream().filter(status -> status.partitions() > 0).forEach(status -> unknown.remove(status.group()));
        return unknown;
    }

    /**
     * The exit code: {@value #UNKNOWN_GROUP} when a named group has no committed offsets (a misspelled group must not
     * look healthy), else by the worst status of the groups that have: 0 OK, {@value #WARNING} WARNING, {@value #ERROR}
     * STALL, STOP or REWIND.
     */
    static int exitCode(List<ConsumerGroupWatch.GroupStatus> statuses, Set<String> unknown) {
        if (!unknown.isEmpty()) {
            return UNKNOWN_GROUP;
        }
        LagStatus worst = statuses.stream().map(ConsumerGroupWatch.GroupStatus::status).max(Enum::compareTo).orElse(LagStatus.OK);
        return worst == LagStatus.OK ? 0 : worst == LagStatus.WARNING ? WARNING : ERROR;
    }

    /** The table, one line per group; a group of {@code unknown} as UNKNOWN, then named on a line of its own. */
    static void print(PrintWriter out, List<ConsumerGroupWatch.GroupStatus> statuses, Set<String> unknown) {
        String format = "  %-48s  %-8s  %12s  %10s  %-7s  %10s  %s%n";
        out.printf(format, "group", "status", "lag", "rate/s", "members", "partitions", "worst partition");
        for (ConsumerGroupWatch.GroupStatus status : statuses) {
            if (unknown.contains(status.group())) {
                out.printf(format, status.group(), "UNKNOWN", "", "", status.members() ? "yes" : "none", 0, "");
                continue;
            }
            out.printf(format, status.group(), status.status(), String.format(Locale.ROOT, "%,d", status.lag()),
                    String.format(Locale.ROOT, "%,.0f", status.ratePerSec()), status.members() ? "yes" : "none", status.partitions(),
                    status.status() == LagStatus.OK ? "" : status.worst().map(Object::toString).orElse(""));
        }
        if (statuses.isEmpty()) {
            out.println("  no onepipe application has committed offsets yet");
        }
        for (String group : unknown) {
            out.println("  group " + group + " has no committed offsets (no such group, or it has not committed yet)");
        }
    }
}
