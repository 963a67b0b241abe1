package dev.onepipe.core.runtime;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.onepipe.core.runtime.health.ProgressWatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.acl.AclOperation;

/**
 * Checks, before a command or topology starts, that this client's principal may do what it needs on a topic, so a
 * missing ACL is named in one line instead of failing deep inside a producer or a stream thread. Uses the operations
 * the broker reports as authorized for the caller (KIP-430, {@code describeTopics} with
 * {@code includeAuthorizedOperations}); a cluster without an authorizer allows everything.
 */
public final class TopicAccess {

    private static final long TIMEOUT_SECONDS = 30;

    private TopicAccess() {
    }

    /**
     * Returns when the caller may do {@code operation} on {@code topic}.
     *
     * @param purpose what needs it, e.g. "registering" or "running archive", for the message
     * @throws IllegalArgumentException naming the ACL the principal lacks, when it may not; or when the topic does
     *                                  not exist or may not be described
     * @throws IllegalStateException    when the cluster does not answer within 30 s
     */
    public static void require(Admin admin, String topic, AclOperation operation, String purpose) throws InterruptedException {
        try {
            if (!admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).contains(topic)) {
                throw new IllegalArgumentException("Topic '" + topic + "' does not exist (or this client's principal may not DESCRIBE it):"
                        + " create it (or register its dataset) first");
            }
            Set<AclOperation> allowed = admin.describeTopics(List.of(topic), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).authorizedOperations();
            if (allowed != null && !allowed.contains(operation) && !allowed.contains(AclOperation.ALL)) {
                String name = operation.name();
                String option = name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
                throw new IllegalArgumentException("This client's principal may not " + name + " topic '" + topic + "', which " + purpose
                        + " needs: the cluster needs an ACL allowing " + name + " on TOPIC " + topic + " for it (e.g. kafka-acls.sh --add"
                        + " --allow-principal User:<name> --operation " + option + " --topic " + topic + ")");
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot check access to topic '" + topic + "': " + ProgressWatch.describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Cannot check access to topic '" + topic + "': no answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
