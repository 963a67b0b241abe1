package dev.onepipe.metadata;

/**
 * The writer could not complete a registration: it kept being fenced by other writers past its attempt limit, or
 * Kafka refused it for a reason retrying cannot fix (authorization, configuration). Nothing of it was committed.
 */
public final class RegistrationFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RegistrationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
