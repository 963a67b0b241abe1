package dev.onepipe.core.config;

/** A setting a command needs is not set in any configuration layer; the message says how to set it. */
public final class MissingConfigurationException extends RuntimeException {

    public MissingConfigurationException(String message) {
        super(message);
    }
}
