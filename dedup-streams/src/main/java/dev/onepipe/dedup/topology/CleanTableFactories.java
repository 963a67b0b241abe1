package dev.onepipe.dedup.topology;

import java.util.Optional;
import java.util.ServiceLoader;

import dev.onepipe.dedup.table.CleanTableFactory;

/** Finds the clean table implementation the configuration asks for. */
final class CleanTableFactories {

    private CleanTableFactories() {
    }

    /**
     * The factory named by {@code className}, or, when it is blank, the first {@link CleanTableFactory} that
     * {@link ServiceLoader} finds on the class path; empty when there is none.
     *
     * @throws IllegalArgumentException when the named class cannot be loaded or is not a public no-argument
     *                                  {@link CleanTableFactory}
     */
    static Optional<CleanTableFactory> find(String className) {
        if (className == null || className.isBlank()) {
            return ServiceLoader.load(CleanTableFactory.class).findFirst();
        }
        try {
            Class<?> type = Class.forName(className.trim(), true, CleanTableFactories.class.getClassLoader());
            return Optional.of((CleanTableFactory) type.getConstructor().newInstance());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException("Setting '" + DedupSettings.TABLE_FACTORY + "' names " + className
                    + ", which is not a public CleanTableFactory with a no-argument constructor: " + e, e);
        }
    }
}
