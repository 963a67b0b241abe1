package dev.onepipe.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticMembershipTest {

    @TempDir
    Path temporary;

    private Properties properties(Path stateDir) {
        Properties properties = new Properties();
        properties.put("application.id", "onepipe-archive-widgets");
        properties.put("state.dir", stateDir.toString());
        return properties;
    }

    @Test
    void theIdIsStableForOneStateDirectoryAndDiffersForAnother() {
        String one = StaticMembership.instanceId("onepipe-archive-widgets", "host-1", Path.of("/var/onepipe/a"));
        assertEquals(one, StaticMembership.instanceId("onepipe-archive-widgets", "host-1", Path.of("/var/onepipe/a")));
        assertNotEquals(one, StaticMembership.instanceId("onepipe-archive-widgets", "host-1", Path.of("/var/onepipe/b")));
        assertNotEquals(one, StaticMembership.instanceId("onepipe-archive-widgets", "host-2", Path.of("/var/onepipe/a")));
        assertTrue(one.matches("onepipe-archive-widgets-host-1-[0-9a-f]{8}"), one);
        assertTrue(StaticMembership.instanceId("app", "Host Name!", Path.of("/x")).matches("app-host_name_-[0-9a-f]{8}"));
    }

    @Test
    void aSecondLiveInstanceOnTheSameStateDirectoryRunsAsADynamicMember() {
        Properties first = properties(temporary);
        Properties second = properties(temporary);
        try (StaticMembership held = StaticMembership.apply(first, true); StaticMembership other = StaticMembership.apply(second, true)) {
            assertTrue(held.isStatic());
            assertTrue(first.containsKey(StaticMembership.MAIN_CONSUMER_INSTANCE_ID));
            assertFalse(other.isStatic());
            assertFalse(second.containsKey(StaticMembership.MAIN_CONSUMER_INSTANCE_ID));
        }
        Properties afterClose = properties(temporary);
        try (StaticMembership again = StaticMembership.apply(afterClose, true)) {
            assertTrue(again.isStatic(), "the lock goes with the instance");
            assertEquals(first.get(StaticMembership.MAIN_CONSUMER_INSTANCE_ID), afterClose.get(StaticMembership.MAIN_CONSUMER_INSTANCE_ID));
        }
        assertTrue(Files.exists(temporary.resolve(StaticMembership.LOCK_FILE)));
    }

    @Test
    void aConfiguredIdTheStreamsProtocolOrTurningItOffLeaveTheConfigurationAlone() {
        Properties configured = properties(temporary);
        configured.put("consumer.group.instance.id", "mine");
        Properties streamsProtocol = properties(temporary.resolve("b"));
        streamsProtocol.put("group.protocol", "streams");
        Properties off = properties(temporary.resolve("c"));
        for (Properties properties : new Properties[] {configured, streamsProtocol}) {
            try (StaticMembership membership = StaticMembership.apply(properties, true)) {
                assertFalse(membership.isStatic());
                assertFalse(properties.containsKey(StaticMembership.MAIN_CONSUMER_INSTANCE_ID));
            }
        }
        try (StaticMembership membership = StaticMembership.apply(off, false)) {
            assertFalse(membership.isStatic());
            assertFalse(off.containsKey(StaticMembership.MAIN_CONSUMER_INSTANCE_ID));
        }
    }
}
