package dev.onepipe.core.cli;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.IVersionProvider;

/** {@code onepipe --version}: onepipe's version from the jar manifest, and the Kafka client it was built with. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = OnepipeCommand.class.getPackage().getImplementationVersion();
        return new String[] {
            "onepipe " + (version == null ? "development build" : version),
            "Kafka " + AppInfoParser.getVersion() + ", Java " + System.getProperty("java.version")
        };
    }
}
