package dev.onepipe.core.runtime.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import at.favre.lib.crypto.bcrypt.BCrypt;

/**
 * The users of an HTTP endpoint and their roles, read from a users file, checked with HTTP Basic authentication
 * (RFC 7617).
 *
 * <p>File format, one user per line, {@code #} starts a comment:
 * <pre>
 * name:bcrypt-hash:role,role
 * </pre>
 * The hash is a bcrypt hash ({@code $2a$}, {@code $2b$} or {@code $2y$}), as {@code htpasswd -nbB name password} or
 * {@code onepipe serve --hash-password} writes it. Passwords are never stored or logged in clear; a verified
 * (user, password digest) pair is remembered so a client's every request does not pay bcrypt's deliberate cost.
 */
public final class HttpUsers {


    private final Map<String, User> users;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    /** A user: name, bcrypt hash, roles. */
    private record User(String name, byte[] hash, Set<String> roles) {
    }

    private HttpUsers(Map<String, User> users) {
        this.users = Map.copyOf(users);
    }

    /**
     * Reads a users file.
     *
     * @throws IllegalArgumentException naming the line when a line is not {@code name:hash:roles} or its hash is not
     *                                  bcrypt; the hash itself is never part of the message
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static HttpUsers read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the users file " + file + ": " + e.getMessage(), e);
        }
        Map<String, User> users = new LinkedHashMap<>();
        for (int index = 0; index < lines.size(); index++) {
            String line = lines.get(index).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", 3);
            if (parts.length < 2 || parts[0].isBlank() || !parts[1].matches("\\$2[aby]\\$\\d\\d\\$.{53}")) {
                throw new IllegalArgumentException("Users file " + file + " line " + (index + 1)
                        + ": expected name:bcrypt-hash:role,role (a $2a$/$2b$/$2y$ hash, e.g. from htpasswd -nbB)");
            }
            Set<String> roles = new LinkedHashSet<>();
            if (parts.length == 3) {
                for (String role : parts[2].split(",")) {
                    if (!role.isBlank()) {
                        roles.add(role.trim());
                    }
                }
            }
            users.put(parts[0], new User(parts[0], parts[1].getBytes(StandardCharsets.UTF_8), roles));
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException("Users file " + file + " has no users");
        }
        return new HttpUsers(users);
    }

    /** A bcrypt hash of {@code password} for a users file (cost 10). */
    public static String hash(char[] password) {
        return BCrypt.withDefaults().hashToString(10, password);
    }

    /** The user names, in file order. */
    public Set<String> names() {
        return users.keySet();
    }

    /**
     * The user an {@code Authorization: Basic ...} header authenticates, with their roles; empty when the header is
     * absent, malformed, names an unknown user, or the password does not match.
     */
    public Optional<Map.Entry<String, Set<String>>> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String credentials;
        try {
            credentials = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = credentials.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        User user = users.get(credentials.substring(0, colon));
        if (user == null) {
            return Optional.empty();
        }
        String password = credentials.substring(colon + 1);
        String verifiedKey = user.name() + ':' + digest(user, password);
        if (!verified.contains(verifiedKey)) {
            BCrypt.Result result = BCrypt.verifyer().verify(password.toCharArray(), user.hash());
            if (!result.verified) {
                return Optional.empty();
            }
            verified.add(verifiedKey);
        }
        return Optional.of(Map.entry(user.name(), user.roles()));
    }

    /** A digest of the password salted with the user's hash, so the remembered set never holds a password. */
    private static String digest(User user, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(user.hash());
            sha256.update(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "HttpUsers" + names();
    }
}
