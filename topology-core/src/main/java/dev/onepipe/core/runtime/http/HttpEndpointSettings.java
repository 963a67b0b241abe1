package dev.onepipe.core.runtime.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import dev.onepipe.core.config.OnepipeConfig;

/**
 * How an {@link OnepipeHttpServer} listens and whom it lets in.
 *
 * @param address          the address to bind (port 0 picks a free port)
 * @param keystore         a PKCS12 keystore holding the server's key and certificate chain: HTTPS when present
 * @param keystorePassword the keystore's password (never logged; {@link #toString()} hides it)
 * @param users            the users allowed in with HTTP Basic authentication; when absent, every request is let in
 *                         with every role, which is safe only on the loopback interface (see {@link #requireSafeForWrites})
 * @param maxRequestBytes  the largest request body accepted; larger ones get 413
 * @param maxInFlightBytes the most request-body bytes held by all requests being served at once; a request that would
 *                         exceed it gets 429 with {@code Retry-After}, so memory stays bounded under load
 * @param threads          threads serving requests
 */
public record HttpEndpointSettings(InetSocketAddress address, Optional<Path> keystore, Optional<String> keystorePassword,
                                   Optional<HttpUsers> users, long maxRequestBytes, long maxInFlightBytes, int threads) {

    public static final String HOST = "onepipe.http.host";
    public static final String TLS_KEYSTORE = "onepipe.http.tls.keystore";
    public static final String TLS_KEYSTORE_PASSWORD = "onepipe.http.tls.keystore.password";
    public static final String USERS_FILE = "onepipe.http.users.file";
    public static final String MAX_REQUEST_BYTES = "onepipe.http.max.request.bytes";
    public static final String MAX_IN_FLIGHT_BYTES = "onepipe.http.max.in.flight.bytes";
    public static final String THREADS = "onepipe.http.threads";

    public static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L * 1024 * 1024;
    public static final String LOOPBACK = "127.0.0.1";

    public HttpEndpointSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        Objects.requireNonNull(users, "users");
        if (maxRequestBytes <= 0 || maxInFlightBytes < maxRequestBytes || threads <= 0) {
            throw new IllegalArgumentException("HTTP limits must be positive, with " + MAX_IN_FLIGHT_BYTES + " (" + maxInFlightBytes
                    + ") at least " + MAX_REQUEST_BYTES + " (" + maxRequestBytes + "); threads " + threads);
        }
    }

    /** Plain HTTP on {@code address}, no users, default limits, as {@code onepipe run} serves /health and /metrics. */
    public static HttpEndpointSettings plain(InetSocketAddress address, int threads) {
        return new HttpEndpointSettings(address, Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_MAX_IN_FLIGHT_BYTES, threads);
    }

    /**
     * The settings in {@code config}: {@value OnepipeHttpServer#PORT} (0 when absent), {@value #HOST} (the loopback
     * address when absent and no users are configured, every interface when users are), {@value #TLS_KEYSTORE} and
     * {@value #TLS_KEYSTORE_PASSWORD}, {@value #USERS_FILE}, {@value #MAX_REQUEST_BYTES}, {@value #MAX_IN_FLIGHT_BYTES},
     * {@value #THREADS}.
     *
     * @throws IllegalArgumentException when the users file is malformed or a TLS keystore has no password
     */
    public static HttpEndpointSettings from(OnepipeConfig config, int defaultThreads) {
        Optional<HttpUsers> users = config.get(USERS_FILE).map(file -> HttpUsers.read(Path.of(file)));
        String host = config.get(HOST).orElse(users.isPresent() ? "0.0.0.0" : LOOPBACK);
        Optional<Path> keystore = config.get(TLS_KEYSTORE).map(Path::of);
        Optional<String> password = config.get(TLS_KEYSTORE_PASSWORD);
        if (keystore.isPresent() && password.isEmpty()) {
            throw new IllegalArgumentException(TLS_KEYSTORE + " needs " + TLS_KEYSTORE_PASSWORD
                    + " (or the environment variable " + OnepipeConfig.environmentVariable(TLS_KEYSTORE_PASSWORD) + ")");
        }
        long maxRequest = config.getLong(MAX_REQUEST_BYTES, DEFAULT_MAX_REQUEST_BYTES);
        long maxInFlight = config.getLong(MAX_IN_FLIGHT_BYTES, Math.max(DEFAULT_MAX_IN_FLIGHT_BYTES, maxRequest));
        return new HttpEndpointSettings(new InetSocketAddress(host, config.getInt(OnepipeHttpServer.PORT, 0)), keystore, password,
                users, maxRequest, maxInFlight, config.getInt(THREADS, defaultThreads));
    }

    /** Whether requests are served over TLS. */
    public boolean tls() {
        return keystore.isPresent();
    }

    /** Whether the bind address is a loopback address (only this machine can connect). */
    public boolean loopbackOnly() {
        InetAddress bound = address.getAddress();
        if (bound == null) {
            try {
                bound = InetAddress.getByName(address.getHostString());
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return bound.isLoopbackAddress();
    }

    /**
     * For an endpoint that writes: without users it must listen on the loopback interface only.
     *
     * @throws IllegalArgumentException when it would accept writes from other machines without authentication
     */
    public HttpEndpointSettings requireSafeForWrites() {
        if (users.isEmpty() && !loopbackOnly()) {
            throw new IllegalArgumentException("Refusing to serve writing endpoints on " + address.getHostString()
                    + " without users: configure " + USERS_FILE + " (--users-file) or listen on " + LOOPBACK);
        }
        return this;
    }

    @Override
    public String toString() {
        return "HttpEndpointSettings[address=" + address + ", tls=" + tls() + ", users=" + users.map(HttpUsers::names).orElse(null)
                + ", maxRequestBytes=" + maxRequestBytes + ", maxInFlightBytes=" + maxInFlightBytes + ", threads=" + threads + "]";
    }
}
