package dev.onepipe.core.cli;

import java.util.List;

/**
 * Adds subcommands to the {@code onepipe} command. Modules list implementations in
 * {@code META-INF/services/dev.onepipe.core.cli.CommandProvider}, so the one main class serves the full
 * launcher jar and every single-topology jar, each with the commands of the modules it contains.
 */
public interface CommandProvider {

    /** picocli {@code @Command}-annotated objects, each added as a subcommand under its own name. */
    List<Object> commands();

    /** picocli commands added under {@code onepipe bench}, e.g. a command named {@code archive}. */
    default List<Object> benchmarkCommands() {
        return List.of();
    }
}
