package dev.onepipe.archive;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether S3 answers, shared by every task of one archive instance so an outage is logged once when it
 * starts and once when it ends, however many uploads retry in between.
 */
final class S3Availability {

    private static final Logger LOG = LoggerFactory.getLogger(S3Availability.class);

    private final String bucket;
    private long unavailableSinceNanos;
    private boolean unavailable;

    S3Availability(String bucket) {
        this.bucket = bucket;
    }

    synchronized void failed(Exception cause) {
        if (!unavailable) {
            unavailable = true;
            unavailableSinceNanos = System.nanoTime();
            LOG.warn("S3 unavailable (bucket {}): {}. The archive holds its offsets and retries until S3 is back.", bucket, describe(cause));
        }
    }

    synchronized void succeeded() {
        if (unavailable) {
            unavailable = false;
            Duration outage = Duration.ofNanos(System.nanoTime() - unavailableSinceNanos);
            LOG.info("S3 available again (bucket {}) after {} s; the archive resumed.", bucket, outage.toSeconds());
        }
    }

    synchronized boolean isUnavailable() {
        return unavailable;
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return root == cause ? message : message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
