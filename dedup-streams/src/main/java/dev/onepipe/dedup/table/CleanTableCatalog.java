package dev.onepipe.dedup.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.onepipe.core.config.OnepipeConfig;
import dev.onepipe.core.runtime.TopologyRunner;
import dev.onepipe.core.s3.S3Settings;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The Iceberg catalog that holds the clean tables, built from onepipe's configuration with Iceberg's own catalog
 * properties ({@code CatalogUtil.buildIcebergCatalog}), each given as {@code onepipe.dedup.catalog.<property>}.
 *
 * <p>Defaults, each overridable that way: {@code catalog-impl=org.apache.iceberg.jdbc.JdbcCatalog} (unless
 * {@code type} is given) on {@code uri=jdbc:sqlite:<onepipe.state.root>/iceberg-catalog.sqlite};
 * {@code warehouse} = {@code onepipe.dedup.warehouse}, else {@code s3://<onepipe.s3.bucket>/clean/};
 * {@code io-impl=org.apache.iceberg.aws.s3.S3FileIO} with {@code s3.endpoint}, {@code s3.path-style-access},
 * {@code client.region}, {@code s3.access-key-id} and {@code s3.secret-access-key} taken from {@code onepipe.s3.*}.
 */
public final class CleanTableCatalog {

    /** The catalog's name, as Iceberg's engines would refer to it. */
    public static final String NAME = "onepipe";
    public static final String NAMESPACE = "clean";
    public static final String CATALOG_PREFIX = "onepipe.dedup.catalog.";
    public static final String WAREHOUSE = "onepipe.dedup.warehouse";
    public static final String SQLITE_FILE = "iceberg-catalog.sqlite";

    private CleanTableCatalog() {
    }

    /** The identifier of {@code dataset}'s clean table: {@code clean.<dataset>}. */
    public static TableIdentifier tableIdentifier(String dataset) {
        return TableIdentifier.of(Namespace.of(NAMESPACE), dataset);
    }

    /** The Iceberg catalog properties for {@code config}: the defaults above, then every {@code onepipe.dedup.catalog.*}. */
    public static Map<String, String> catalogProperties(OnepipeConfig config) {
        Map<String, String> properties = new LinkedHashMap<>();
        Map<String, String> given = new LinkedHashMap<>();
        config.asMap().forEach((key, value) -> {
            if (key.startsWith(CATALOG_PREFIX) && key.length() > CATALOG_PREFIX.length()) {
                given.put(key.substring(CATALOG_PREFIX.length()), value);
            }
        });
        if (!given.containsKey(CatalogUtil.ICEBERG_CATALOG_TYPE) && !given.containsKey(CatalogProperties.CATALOG_IMPL)) {
            properties.put(CatalogProperties.CATALOG_IMPL, "org.apache.iceberg.jdbc.JdbcCatalog");
            if (!given.containsKey(CatalogProperties.URI)) {
                properties.put(CatalogProperties.URI, "jdbc:sqlite:" + stateRoot(config).resolve(SQLITE_FILE));
                // V1 adds view support and keeps Iceberg from logging that the V0 schema is in use
                properties.put("jdbc.schema-version", "V1");
                // concurrent committers in one or several processes wait for SQLite's write lock rather than fail
                properties.put("jdbc.busy_timeout", "30000");
            }
        }
        S3Settings.fromConfig(config.asMap()).ifPresent(s3 -> {
            properties.put(CatalogProperties.WAREHOUSE_LOCATION, "s3://" + s3.bucket() + "/clean/");
            properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
            s3.endpoint().ifPresent(endpoint -> properties.put("s3.endpoint", endpoint.toString()));
            properties.put("s3.path-style-access", String.valueOf(s3.pathStyle()));
            s3.region().ifPresent(region -> properties.put("client.region", region));
            s3.accessKey().ifPresent(key -> properties.put("s3.access-key-id", key));
            s3.secretKey().ifPresent(key -> properties.put("s3.secret-access-key", key));
        });
        config.get(WAREHOUSE).ifPresent(warehouse -> properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse));
        properties.putAll(given);
        return properties;
    }

    /**
     * Builds and initializes the catalog (creating the SQLite file's folder when the default catalog is used).
     *
     * @throws CleanTableException when the catalog cannot be built or reached
     */
    public static Catalog open(OnepipeConfig config) {
        Map<String, String> properties = catalogProperties(config);
        String uri = properties.getOrDefault(CatalogProperties.URI, "");
        if (uri.startsWith("jdbc:sqlite:")) {
            Path file = Path.of(uri.substring("jdbc:sqlite:".length()));
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the folder of the clean-table catalog " + file, e);
            }
        }
        try {
            return CatalogUtil.buildIcebergCatalog(NAME, properties, null);
        } catch (RuntimeException e) {
            throw new CleanTableException("Cannot open the Iceberg catalog " + describe(properties) + ": " + e.getMessage(), e);
        }
    }

    /** The catalog's implementation and URI, never its credentials. */
    public static String describe(Map<String, String> properties) {
        return properties.getOrDefault(CatalogProperties.CATALOG_IMPL, properties.getOrDefault(CatalogUtil.ICEBERG_CATALOG_TYPE, "?"))
                + " at " + properties.getOrDefault(CatalogProperties.URI, "(no uri)")
                + ", warehouse " + properties.getOrDefault(CatalogProperties.WAREHOUSE_LOCATION, "(none)");
    }

    /** {@code onepipe.state.root}, by default {@code <java.io.tmpdir>/onepipe-state} (as the topology runner uses). */
    public static Path stateRoot(OnepipeConfig config) {
        return Path.of(config.get(TopologyRunner.STATE_ROOT, Path.of(System.getProperty("java.io.tmpdir"), "onepipe-state").toString()));
    }
}
