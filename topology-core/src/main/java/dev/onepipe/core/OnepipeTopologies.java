package dev.onepipe.core;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** The topologies on the classpath, found through {@link ServiceLoader}. */
public final class OnepipeTopologies {

    private OnepipeTopologies() {
    }

    /** Every topology on the classpath, sorted by name. */
    public static List<OnepipeTopology> all() {
        return ServiceLoader.load(OnepipeTopology.class).stream()
                .map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(OnepipeTopology::name))
                .collect(Collectors.toList());
    }

    public static Optional<OnepipeTopology> named(String name) {
        return all().stream().filter(topology -> topology.name().equals(name)).findFirst();
    }

    /** The topology called {@code name}, or an error that lists the names there are. */
    public static OnepipeTopology require(String name) {
        return named(name).orElseThrow(() -> new IllegalArgumentException("No topology named '" + name + "' on the classpath. "
                + (all().isEmpty() ? "This build has no topology jars." : "Known topologies: "
                + all().stream().map(OnepipeTopology::name).collect(Collectors.joining(", ")))));
    }
}
