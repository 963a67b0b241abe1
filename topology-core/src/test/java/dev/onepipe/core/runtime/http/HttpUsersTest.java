package dev.onepipe.core.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.onepipe.core.config.OnepipeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpUsersTest {

    /** The OpenBSD/crypt_blowfish test vector: "U*U" hashed at cost 5 with the salt "CCCC...". */
    private static final String U_STAR_U = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

    @TempDir
    Path folder;

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKnownBcryptHashAuthenticatesWithItsRoles() throws Exception {
        Path file = Files.writeString(folder.resolve("users"), "# comment\nalice:" + U_STAR_U + ":read,produce\n\n");
        HttpUsers users = HttpUsers.read(file);

        Optional<Map.Entry<String, Set<String>>> alice = users.authenticate(basic("alice", "U*U"));
        assertTrue(alice.isPresent());
        assertEquals("alice", alice.get().getKey());
        assertEquals(Set.of("read", "produce"), alice.get().getValue());
        assertTrue(users.authenticate(basic("alice", "U*U")).isPresent(), "a remembered verification still answers");
        assertFalse(users.authenticate(basic("alice", "U*V")).isPresent());
        assertFalse(users.authenticate(basic("bob", "U*U")).isPresent());
        assertFalse(users.authenticate(null).isPresent());
        assertFalse(users.authenticate("Basic not-base64!").isPresent());
        assertFalse(users.authenticate("Bearer abc").isPresent());
    }

    @Test
    void hashesItWritesVerify() throws Exception {
        Path file = Files.writeString(folder.resolve("users"), "carol:" + HttpUsers.hash("s3cret".toCharArray()) + ":admin\n");
        assertTrue(HttpUsers.read(file).authenticate(basic("carol", "s3cret")).isPresent());
        assertFalse(HttpUsers.read(file).authenticate(basic("carol", "s3cret ")).isPresent());
    }

    @Test
    void aMalformedLineIsNamedWithoutItsContent() throws Exception {
        Path file = Files.writeString(folder.resolve("users"), "dave:plain-text-password:read\n");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> HttpUsers.read(file));
        assertTrue(error.getMessage().contains("line 1"), error.getMessage());
        assertFalse(error.getMessage().contains("plain-text-password"), "a credential never reaches a message: " + error.getMessage());
    }

    @Test
    void withoutUsersOnlyTheLoopbackInterfaceMayTakeWrites() throws Exception {
        HttpEndpointSettings defaults = HttpEndpointSettings.from(OnepipeConfig.of(Map.of()), 2);
        assertTrue(defaults.loopbackOnly());
        defaults.requireSafeForWrites();
        HttpEndpointSettings everywhere = HttpEndpointSettings.plain(new InetSocketAddress("0.0.0.0", 0), 2);
        assertThrows(IllegalArgumentException.class, everywhere::requireSafeForWrites);

        Path file = Files.writeString(folder.resolve("users"), "alice:" + U_STAR_U + ":read\n");
        HttpEndpointSettings withUsers = HttpEndpointSettings.from(OnepipeConfig.of(Map.of(HttpEndpointSettings.USERS_FILE, file.toString())), 2);
        assertFalse(withUsers.loopbackOnly(), "users configured: every interface by default");
        withUsers.requireSafeForWrites();
    }

    @Test
    void theKeystorePasswordNeverShows() {
        HttpEndpointSettings settings = HttpEndpointSettings.from(OnepipeConfig.of(Map.of(HttpEndpointSettings.TLS_KEYSTORE, "k.p12",
                HttpEndpointSettings.TLS_KEYSTORE_PASSWORD, "very-secret")), 2);
        assertFalse(settings.toString().contains("very-secret"), settings.toString());
        assertThrows(IllegalArgumentException.class, () -> HttpEndpointSettings.from(OnepipeConfig.of(Map.of(HttpEndpointSettings.TLS_KEYSTORE,
                "k.p12")), 2));
    }
}
