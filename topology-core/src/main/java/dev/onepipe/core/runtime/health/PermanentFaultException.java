package dev.onepipe.core.runtime.health;

/**
 * A fault that neither a retry nor a new stream thread can heal (e.g. the records a task's state depends on are gone
 * from its input topic). Thrown by a topology, anywhere in the cause chain of a stream thread's failure, it makes the
 * runner stop the application at once ({@link ProgressWatch}), saying the message once, instead of replacing the
 * thread to fail the same way again.
 */
public class PermanentFaultException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PermanentFaultException(String message) {
        super(message);
    }

    public PermanentFaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
