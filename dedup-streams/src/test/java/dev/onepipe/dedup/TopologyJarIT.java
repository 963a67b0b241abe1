package dev.onepipe.dedup;

import dev.onepipe.core.testing.TopologyJarCheck;

/** The jar an operator deploys for deduplication carries no broker, Scala, S3Proxy, JUnit or test kit, and still starts. */
class TopologyJarIT extends TopologyJarCheck {

    TopologyJarIT() {
        super("dedup-streams", JarRun.of(0, "Usage: onepipe run", "run", "--help"));
    }
}
