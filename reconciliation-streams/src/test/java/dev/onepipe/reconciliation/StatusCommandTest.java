package dev.onepipe.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@code onepipe status}'s table and exit code from hand-written group statuses (sampling the broker is {@code StatusIT}'s). */
class StatusCommandTest {

    private static final ConsumerGroupWatch.GroupStatus HEALTHY = new ConsumerGroupWatch.GroupStatus("onepipe-archive-widgets", LagStatus.OK, 0, 12.0,
            true, 3, Optional.of(new TopicPartition("widgets", 0)));
    /** What the watch reports for a group id nobody uses: sampled, no committed offset. */
    private static final ConsumerGroupWatch.GroupStatus NOTHING = new ConsumerGroupWatch.GroupStatus("nosuchgroup", LagStatus.OK, 0, 0, false, 0,
            Optional.empty());

    @Test
    void aNamedGroupWithoutCommittedOffsetsIsUnknownNotOk() {
        List<ConsumerGroupWatch.GroupStatus> statuses = List.of(HEALTHY, NOTHING);
        Set<String> unknown = StatusCommand.unknownGroups(statuses, List.of("nosuchgroup"));
        assertEquals(Set.of("nosuchgroup"), unknown);
        assertEquals(2, StatusCommand.exitCode(statuses, unknown));

        StringWriter text = new StringWriter();
        StatusCommand.print(new PrintWriter(text, true), statuses, unknown);
        String printed = text.toString();
        assertTrue(printed.lines().anyMatch(line -> line.matches("\\s+nosuchgroup\\s+UNKNOWN\\s+none\\s+0\\s*")), printed);
        assertTrue(printed.contains("  group nosuchgroup has no committed offsets (no such group, or it has not committed yet)"), printed);
        assertTrue(printed.lines().anyMatch(line -> line.matches("\\s+onepipe-archive-widgets\\s+OK\\s+0\\s+12\\s+yes\\s+3\\s*")), printed);
    }

    @Test
    void groupsWithCommittedOffsetsKeepTheirStatusAndExitCode() {
        assertEquals(Set.of(), StatusCommand.unknownGroups(List.of(HEALTHY), List.of("onepipe-archive-widgets")));
        assertEquals(0, StatusCommand.exitCode(List.of(HEALTHY), Set.of()));
        ConsumerGroupWatch.GroupStatus warning = new ConsumerGroupWatch.GroupStatus("g", LagStatus.WARNING, 5, 1, true, 1, Optional.empty());
        ConsumerGroupWatch.GroupStatus stopped = new ConsumerGroupWatch.GroupStatus("h", LagStatus.STOP, 5, 0, false, 1, Optional.empty());
        assertEquals(StatusCommand.WARNING, StatusCommand.exitCode(List.of(HEALTHY, warning), Set.of()));
        assertEquals(StatusCommand.ERROR, StatusCommand.exitCode(List.of(HEALTHY, warning, stopped), Set.of()));
        // A group of onepipe-* found by prefix without offsets yet (just started) is not named, so not an error.
        assertEquals(Set.of(), StatusCommand.unknownGroups(List.of(HEALTHY, NOTHING), List.of()));
    }
}
