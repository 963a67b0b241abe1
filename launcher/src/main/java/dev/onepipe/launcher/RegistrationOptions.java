package dev.onepipe.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.onepipe.core.cli.ReadableFile;
import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.RegistrationRequest;
import picocli.CommandLine.Option;

/** What to register: a schema, dataset metadata, or both (a picocli mixin shared by register and check). */
final class RegistrationOptions {

    @Option(names = "--schema", paramLabel = "<file.avsc>", converter = ReadableFile.class, description = "Avro schema file.")
    Path schemaFile;

    @Option(names = "--metadata", paramLabel = "<file.json>", converter = ReadableFile.class, description = "Dataset metadata file (JSON).")
    Path metadataFile;

    @Option(names = "--dataset", paramLabel = "<name>",
            description = "Dataset the schema is for (its value subject); with --metadata it must match the metadata's name.")
    String dataset;

    @Option(names = "--subject", paramLabel = "<subject>", description = "Register the schema under this subject directly.")
    String subject;

    /**
     * The request these options describe.
     *
     * @throws IllegalArgumentException when the combination does not name one registration
     */
    RegistrationRequest request() {
        if (metadataFile != null) {
            final DatasetMetadata metadata = DatasetMetadata.fromJson(read(metadataFile));
            if (dataset != null && !dataset.equals(metadata.name())) {
                throw new IllegalArgumentException("--dataset " + dataset + " does not match the metadata's name '"
                    + metadata.name() + "'");
            }
            if (subject != null) {
                throw new IllegalArgumentException("--subject cannot be combined with --metadata: the metadata names its valueSubject");
            }
            return schemaFile == null ? RegistrationRequest.metadata(metadata)
                : RegistrationRequest.dataset(metadata, read(schemaFile));
        }
        if (schemaFile == null) {
            throw new IllegalArgumentException("Nothing to register: give --schema <file.avsc> (with --dataset or --subject),"
                + " --metadata <file.json>, or both");
        }
        if ((dataset == null) == (subject == null)) {
            throw new IllegalArgumentException("A schema alone needs exactly one of --dataset <name> or --subject <subject>");
        }
        return dataset != null ? RegistrationRequest.datasetSchema(dataset, read(schemaFile))
            : RegistrationRequest.schema(subject, read(schemaFile));
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (final IOException exception) {
            throw new IllegalArgumentException("file '" + file + "' cannot be read: " + exception.getMessage(), exception);
        }
    }
}
