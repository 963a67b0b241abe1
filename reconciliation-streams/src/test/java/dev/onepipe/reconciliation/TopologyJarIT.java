package dev.onepipe.reconciliation;

import dev.onepipe.core.testing.TopologyJarCheck;

/** The jar an operator deploys for reconciliation carries no broker, Scala, S3Proxy, JUnit or test kit, and still starts. */
class TopologyJarIT extends TopologyJarCheck {

    TopologyJarIT() {
        super("reconciliation-streams", JarRun.of(0, "Usage: onepipe reconcile", "reconcile", "--help"));
    }
}
