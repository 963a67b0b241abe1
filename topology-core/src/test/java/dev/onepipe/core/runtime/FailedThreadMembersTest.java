package dev.onepipe.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FailedThreadMembersTest {

    @Test
    void aStreamThreadsMemberIsTheInstanceIdWithTheThreadsIndex() {
        assertEquals("onepipe-archive-orders-host-1a2b3c4d-3",
                FailedThreadMembers.memberId("onepipe-archive-orders-host-1a2b3c4d", "onepipe-archive-orders-5f0e-StreamThread-3"));
        assertEquals("app-host-00ff00ff-12", FailedThreadMembers.memberId("app-host-00ff00ff", "app-StreamThread-12"));
    }

    @Test
    void threadsWithoutAnIndexHaveNoMember() {
        assertNull(FailedThreadMembers.memberId("app-host-00ff00ff", "app-5f0e-GlobalStreamThread"));
        assertNull(FailedThreadMembers.memberId("app-host-00ff00ff", "main"));
        assertNull(FailedThreadMembers.memberId("app-host-00ff00ff", "app-StreamThread-"));
    }
}
