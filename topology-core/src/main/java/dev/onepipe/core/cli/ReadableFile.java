package dev.onepipe.core.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A picocli converter for options that name a file to read ({@code --config}, {@code --schema}, {@code --metadata},
 * {@code --json}): a file that does not exist, is a directory or cannot be read is refused while the command line is
 * parsed, so every command reports it the same way, as a usage error (exit 2) with a sentence, before it connects to
 * anything: {@code Invalid value for option '--json': file 'missing.jsonl' does not exist}.
 */
public final class ReadableFile implements ITypeConverter<Path> {

    /**
     * @return the path, after checking that it is a readable regular file
     * @throws TypeConversionException saying what is wrong with it
     */
    @Override
    public Path convert(final String value) {
        final Path file;
        try {
            file = Path.of(value);
        } catch (final InvalidPathException exception) {
            throw new TypeConversionException("'" + value + "' is not a file name: " + exception.getReason());
        }
        final String problem = problem(file);
        if (problem != null) {
            throw new TypeConversionException(problem);
        }
        return file;
    }

    /**
     * @return a sentence saying why {@code file} cannot be read as an input file, or {@code null} when it can
     */
    public static String problem(final Path file) {
        if (!Files.exists(file)) {
            final Path parent = file.toAbsolutePath().getParent();
            return "file '" + file + "' does not exist"
                + (parent != null && !Files.isDirectory(parent) ? " (nor does its folder " + parent + ")" : "");
        }
        if (Files.isDirectory(file)) {
            return "'" + file + "' is a folder, not a file";
        }
        if (!Files.isReadable(file)) {
            return "file '" + file + "' cannot be read: permission denied";
        }
        return null;
    }

    /** The same check for an option that also takes {@code -}, standard input. */
    public static final class OrStandardInput implements ITypeConverter<String> {

        /** The value that means standard input. */
        public static final String STANDARD_INPUT = "-";

        @Override
        public String convert(final String value) {
            if (!STANDARD_INPUT.equals(value)) {
                new ReadableFile().convert(value);
            }
            return value;
        }
    }
}
