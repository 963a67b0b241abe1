package dev.onepipe.core.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the embedded broker needs to listen with {@code SASL_SSL} and {@code SCRAM-SHA-512} instead of
 * {@code PLAINTEXT}, with Kafka's {@code StandardAuthorizer} on: a key store holding the broker's key and
 * certificate, the trust store holding the CA that signed it, and the SCRAM users (added when the storage is
 * formatted, the way {@code kafka-storage format --add-scram} does). The admin user is a super user; every other
 * user can do only what ACLs allow. For tests of secured clusters; the broker's default stays {@code PLAINTEXT}.
 *
 * <p>{@link #create(Path, Map)} makes a self-signed CA and a broker certificate for {@code localhost} and
 * {@code 127.0.0.1} with the JDK's {@code keytool} (PKCS12), and random passwords.
 *
 * @param keyStore      PKCS12 key store with the broker's key and certificate chain
 * @param trustStore    PKCS12 trust store with the CA certificate, for clients
 * @param storePassword password of both stores (and of the key)
 * @param adminUser     SCRAM user the broker itself uses between listeners, a super user
 * @param users         every SCRAM user by name, with its password (the admin included)
 */
public record SaslSslListener(Path keyStore, Path trustStore, String storePassword, String adminUser, Map<String, String> users) {

    public static final String MECHANISM = "SCRAM-SHA-512";
    public static final String ADMIN = "admin";

    /**
     * Makes a CA, a broker key signed by it and the trust store in {@code directory}, and random passwords for the
     * admin and each of {@code userNames}.
     *
     * @throws IllegalStateException if {@code keytool} fails
     */
    public static SaslSslListener create(Path directory, List<String> userNames) {
        try {
            Files.createDirectories(directory);
            String password = randomPassword();
            Path ca = directory.resolve("ca.p12");
            Path broker = directory.resolve("broker.p12");
            Path trust = directory.resolve("truststore.p12");
            Path caCertificate = directory.resolve("ca.pem");
            Path request = directory.resolve("broker.csr");
            Path signed = directory.resolve("broker.pem");
            keytool("-genkeypair", "-alias", "ca", "-dname", "CN=onepipe test CA", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-ext", "bc:c", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-file", caCertificate.toString());
            keytool("-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-keystore", broker.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            keytool("-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", password, "-file", request.toString());
            keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password, "-infile", request.toString(),
                    "-outfile", signed.toString(), "-rfc", "-validity", "2", "-ext", "SAN=dns:localhost,ip:127.0.0.1");
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(), "-keystore", broker.toString(), "-storepass", password);
            keytool("-importcert", "-alias", "broker", "-file", signed.toString(), "-keystore", broker.toString(), "-storepass", password);
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(), "-keystore", trust.toString(),
                    "-storetype", "PKCS12", "-storepass", password);
            Map<String, String> users = new LinkedHashMap<>();
            users.put(ADMIN, randomPassword());
            userNames.forEach(name -> users.put(name, randomPassword()));
            return new SaslSslListener(broker, trust, password, ADMIN, Map.copyOf(users));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the test certificates in " + directory, e);
        }
    }

    /** The password of {@code user}. */
    public String password(String user) {
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException("No SCRAM user " + user + "; users: " + users.keySet());
        }
        return password;
    }

    /**
     * The client settings that connect as {@code user}: {@code security.protocol}, {@code sasl.mechanism},
     * {@code sasl.jaas.config} and the trust store (without {@code bootstrap.servers}).
     */
    public Map<String, String> clientConfig(String user) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", MECHANISM);
        config.put("sasl.jaas.config", jaasConfig(user));
        config.put("ssl.truststore.location", trustStore.toString());
        config.put("ssl.truststore.password", storePassword);
        config.put("ssl.truststore.type", "PKCS12");
        return config;
    }

    String jaasConfig(String user) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password(user) + "\";";
    }

    /** The SCRAM credentials in the syntax of {@code kafka-storage format --add-scram}. */
    List<String> scramArguments() {
        List<String> arguments = new ArrayList<>();
        users.forEach((name, password) -> arguments.add(MECHANISM + "=[name=" + name + ",password=" + password + "]"));
        return arguments;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running keytool", e);
        }
    }
}
