package dev.onepipe.campaign;

import dev.onepipe.core.testing.TopologyJarCheck;

/**
 * The jar an operator deploys for campaign metrics carries no broker, Scala, S3Proxy, JUnit or test kit, still starts,
 * and sends benchmarks to the launcher's jar.
 */
class TopologyJarIT extends TopologyJarCheck {

    TopologyJarIT() {
        super("join-aggregate-streams",
                JarRun.of(0, "Usage: onepipe run", "run", "campaign-metrics", "--help"),
                JarRun.of(0, "campaign-metrics", "topologies"),
                JarRun.of(2, "only the launcher's jar carries", "bench", "campaign-metrics"));
    }
}
