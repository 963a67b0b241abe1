package dev.onepipe.core.embedded;

/**
 * The same tests again in a second class, so the suite runs them twice in a row: the topic, the bucket
 * and the transactional id they create must not exist at the start of the second run.
 */
class EmbeddedRuntimeRerunIT extends EmbeddedRuntimeIT {
}
