package dev.onepipe.launcher;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import dev.onepipe.core.cli.ConfigOptions;
import dev.onepipe.core.runtime.TopicAccess;
import dev.onepipe.metadata.DatasetDescription;
import dev.onepipe.metadata.DatasetTopicProvisioner;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclOperation;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code onepipe metadata}: register, check, list, show and soft-delete schemas and dataset metadata. */
@Command(name = "metadata", mixinStandardHelpOptions = true,
        description = "The registry of schemas and dataset metadata in the metadata topic.",
        subcommands = {MetadataCommand.Register.class, MetadataCommand.Check.class, MetadataCommand.ListDatasets.class,
            MetadataCommand.Show.class, MetadataCommand.Delete.class})
final class MetadataCommand implements Runnable {

    /** Exit code of a registration the registry rejects. */
    static final int REJECTED = 1;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static MetadataRegistry connect(final ConfigOptions options) {
        final RegistryClientSettings settings = RegistryClientSettings.from(options);
        return MetadataRegistry.connect(settings.clientConfig(), settings.metadataTopic());
    }

    /**
     * A principal without WRITE on the metadata topic would fail inside the registry's transaction with a bare
     * authorization error: name the ACL it lacks instead, before anything is written.
     */
    private static void requireWriteAccess(final ConfigOptions options) throws InterruptedException {
        final RegistryClientSettings settings = RegistryClientSettings.from(options);
        try (Admin admin = Admin.create(settings.clientConfig())) {
            TopicAccess.require(admin, settings.metadataTopic(), AclOperation.WRITE, "registering");
        }
    }

    /** The registry for a command that only reads; empty (and nothing created) when its topic does not exist. */
    private static Optional<MetadataRegistry> connectToRead(final ConfigOptions options) {
        final RegistryClientSettings settings = RegistryClientSettings.from(options);
        return MetadataRegistry.connectIfExists(settings.clientConfig(), settings.metadataTopic());
    }

    private static int report(final CommandSpec spec, final RegistrationResult result, final String acceptedPrefix) {
        if (result.accepted()) {
            spec.commandLine().getOut().println(acceptedPrefix + result.summary());
            spec.commandLine().getOut().flush();
            return 0;
        }
        spec.commandLine().getErr().println("onepipe: " + result.summary());
        spec.commandLine().getErr().flush();
        return REJECTED;
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Register a schema, dataset metadata, or both at once.",
                "Prints the version and id; exits 1 with the reasons when the registry rejects it.",
                "A registered dataset gets its topic and its dead-letter topic <topic>.dlq, created with the metadata's",
                "topicSettings (partitions, replicationFactor, retentionMs, cleanupPolicy); an existing topic is left",
                "unchanged and every difference from the settings is printed."})
    static final class Register implements Callable<Integer> {

        @Mixin
        RegistrationOptions registration;

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            final RegistrationResult result;
            try (MetadataRegistry registry = connect(options)) {
                requireWriteAccess(options);
                result = registry.register(registration.request());
            }
            final int exit = report(spec, result, "");
            final Optional<DatasetVersion> dataset = result.datasetVersion();
            if (result.accepted() && dataset.isPresent() && !dataset.get().deleted()) {
                try (Admin admin = Admin.create(RegistryClientSettings.from(options).clientConfig())) {
                    for (final DatasetTopicProvisioner.TopicOutcome outcome
                            : DatasetTopicProvisioner.provision(admin, dataset.get().metadata())) {
                        spec.commandLine().getOut().println(outcome.describe());
                    }
                }
                spec.commandLine().getOut().flush();
            }
            return exit;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Dry run of register: say whether it would be accepted (and as which version), write nothing."})
    static final class Check implements Callable<Integer> {

        @Mixin
        RegistrationOptions registration;

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (MetadataRegistry registry = connect(options)) {
                return report(spec, registry.check(registration.request()), "dry run, nothing written: ");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the registered datasets, or the subjects.")
    static final class ListDatasets implements Callable<Integer> {

        @Option(names = "--subjects", description = "List subjects and their schema versions instead of datasets.")
        boolean subjects;

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            final Optional<MetadataRegistry> existing = connectToRead(options);
            try (MetadataRegistry registry = existing.orElse(null)) {
                final MetadataCatalog catalog = registry == null ? new MetadataCatalog() : registry.catalog();
                if (subjects) {
                    out.printf("%-40s %8s %8s %10s%n", "SUBJECT", "VERSIONS", "LATEST", "LATEST ID");
                    for (final String subject : catalog.subjects()) {
                        final Optional<SchemaVersion> latest = catalog.latestSchemaVersion(subject);
                        out.printf("%-40s %8d %8s %10s%n", subject, catalog.schemaVersions(subject).size(),
                            latest.map(version -> String.valueOf(version.version())).orElse("-"),
                            latest.map(version -> String.valueOf(version.id())).orElse("-"));
                    }
                } else {
                    out.printf("%-30s %-30s %-30s %7s %7s  %s%n", "DATASET", "TOPIC", "VALUE SUBJECT", "SCHEMA",
                        "META", "OWNER");
                    final List<DatasetVersion> datasets = catalog.datasets();
                    for (final DatasetVersion dataset : datasets) {
                        out.printf("%-30s %-30s %-30s %7s %7d  %s%n", dataset.name(), dataset.metadata().topic(),
                            dataset.metadata().valueSubject(),
                            catalog.latestSchemaVersion(dataset.metadata().valueSubject())
                                .map(version -> "v" + version.version()).orElse("-"),
                            dataset.version(), dataset.metadata().owner().orElse(""));
                    }
                    out.printf("%d dataset(s)%n", datasets.size());
                }
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a dataset's metadata, its schema versions, and one schema in full (the latest by default).")
    static final class Show implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<dataset>", description = "Dataset name.")
        String dataset;

        @Parameters(index = "1", arity = "0..1", paramLabel = "<version>", description = "Schema version to show in full.")
        Integer version;

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            final MetadataRegistry existing = connectToRead(options).orElseThrow(() ->
                new IllegalArgumentException("Dataset '" + dataset + "' is not registered (the registry does not exist yet)"));
            try (MetadataRegistry registry = existing) {
                final DatasetDescription description = registry.showDataset(dataset,
                    version == null ? OptionalInt.empty() : OptionalInt.of(version))
                    .orElseThrow(() -> new IllegalArgumentException("Dataset '" + dataset + "' is not registered"));
                if (version != null && description.schemaVersion().isEmpty()) {
                    throw new IllegalArgumentException("Dataset '" + dataset + "' has no schema version " + version);
                }
                spec.commandLine().getOut().print(description.toText());
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Soft-delete a dataset, or one schema version of a subject.",
                "A deleted schema version keeps its id and stays readable; it is no longer the latest nor writable."})
    static final class Delete implements Callable<Integer> {

        @ArgGroup(multiplicity = "1")
        Target target;

        static final class Target {

            @Option(names = "--dataset", paramLabel = "<name>", description = "Dataset to soft-delete.")
            String dataset;

            @ArgGroup(exclusive = false)
            SchemaVersionTarget schemaVersion;
        }

        static final class SchemaVersionTarget {

            @Option(names = "--subject", required = true, paramLabel = "<subject>", description = "Subject of the version.")
            String subject;

            @Option(names = "--schema-version", required = true, paramLabel = "<version>",
                    description = "Schema version to soft-delete.")
            int version;
        }

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (MetadataRegistry registry = connect(options)) {
                final RegistrationResult result = target.dataset != null ? registry.deleteDataset(target.dataset)
                    : registry.deleteSchemaVersion(target.schemaVersion.subject, target.schemaVersion.version);
                return report(spec, result, "");
            }
        }
    }
}
