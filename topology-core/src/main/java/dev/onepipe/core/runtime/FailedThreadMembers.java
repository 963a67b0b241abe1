package dev.onepipe.core.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the static group member of a failed stream thread from the application's consumer group, so its
 * partitions move to the replacement thread at once.
 *
 * <p>Why: Kafka Streams 4.3 replaces a failed thread by shutting it down with {@code REMAIN_IN_GROUP} and starting a
 * new thread with the next free index, so under static membership (KIP-345, {@link StaticMembership}) the new
 * thread joins as {@code <instance id>-<new index>} while the dead {@code <instance id>-<old index>} stays in the
 * group: the rebalance waits for it until its session times out ({@code session.timeout.ms}, 45 s by default), and
 * no partition of the group is processed meanwhile. KIP-345 names the tool for a static member that will not come
 * back: {@link Admin#removeMembersFromConsumerGroup}. Measured by {@code ThreadDeathLoopIT}: a close after one thread
 * failure took 44 s before this (the session timeout), and the bounded-replacement stop about 30 s per failure.
 *
 * <p>The removal waits for the failed thread to finish (its consumer closed, at most {@value #THREAD_STOP_WAIT_SECONDS}
 * s), then runs on one background thread; it is best effort: a member already gone ({@link UnknownMemberIdException})
 * is success, any other failure is logged and leaves the session timeout to do the work.
 */
final class FailedThreadMembers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FailedThreadMembers.class);
    private static final long THREAD_STOP_WAIT_SECONDS = 30;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** Does nothing: for dynamic members, which leave the group when their consumer closes. */
    static final FailedThreadMembers NONE = new FailedThreadMembers(null, null, null);

    private final String applicationId;
    private final String instanceId;
    private final Supplier<Admin> admins;
    private ExecutorService removals;

    private FailedThreadMembers(String applicationId, String instanceId, Supplier<Admin> admins) {
        this.applicationId = applicationId;
        this.instanceId = instanceId;
        this.admins = admins;
    }

    /**
     * Removes failed threads' members of group {@code applicationId} whose static id is {@code instanceId} plus Kafka
     * Streams' thread suffix ({@code -<thread index>}), with admin clients from {@code admins}.
     */
    static FailedThreadMembers removing(String applicationId, String instanceId, Supplier<Admin> admins) {
        return instanceId == null ? NONE : new FailedThreadMembers(applicationId, instanceId, admins);
    }

    /**
     * The static member id of a stream thread named {@code threadName} ({@code ...-StreamThread-<index>}, Kafka
     * Streams' naming), or null when the name does not end in an index.
     */
    static String memberId(String instanceId, String threadName) {
        int dash = threadName.lastIndexOf('-');
        String index = threadName.substring(dash + 1);
        if (dash < 0 || index.isEmpty() || !index.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return instanceId + "-" + index;
    }

    /** Called on the failing stream thread itself: schedules the removal of its member once it has stopped. */
    synchronized void removeOnceStopped(Thread failedThread) {
        if (admins == null) {
            return;
        }
        String member = memberId(instanceId, failedThread.getName());
        if (member == null) {
            return;
        }
        if (removals == null) {
            removals = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, applicationId + "-failed-thread-member-removal");
                thread.setDaemon(true);
                return thread;
            });
        }
        removals.execute(() -> remove(failedThread, member));
    }

    private void remove(Thread failedThread, String member) {
        try {
            failedThread.join(TimeUnit.SECONDS.toMillis(THREAD_STOP_WAIT_SECONDS));
            MemberToRemove toRemove = new MemberToRemove(member);
            try (Admin admin = admins.get()) {
                admin.removeMembersFromConsumerGroup(applicationId, new RemoveMembersFromConsumerGroupOptions(List.of(toRemove)))
                        .memberResult(toRemove).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            LOG.info("{}: removed the failed stream thread's static group member {} so its partitions move to the replacement at once",
                    applicationId, member);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownMemberIdException) {
                LOG.debug("{}: static member {} had already left the group", applicationId, member);
            } else {
                LOG.warn("{}: could not remove the failed stream thread's static group member {} ({}); its partitions wait for its session to time out",
                        applicationId, member, e.getCause() == null ? e.toString() : e.getCause().toString());
            }
        } catch (TimeoutException | RuntimeException e) {
            LOG.warn("{}: could not remove the failed stream thread's static group member {} ({}); its partitions wait for its session to time out",
                    applicationId, member, e.toString());
        }
    }

    /** Stops waiting removals; one already talking to the broker finishes within its admin timeout. */
    @Override
    public synchronized void close() {
        if (removals != null) {
            removals.shutdownNow();
        }
    }
}
