package dev.onepipe.launcher.gateway;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

import dev.onepipe.core.runtime.http.HttpRouteRequest;
import dev.onepipe.core.runtime.http.HttpRouteResponse;

/**
 * Answers a retried request that carries the same {@code Idempotency-Key} header (per user, method and path) with the
 * first request's response instead of writing again; a request that arrives while the first is still being served
 * waits for it. Only final answers are kept: a 5xx is forgotten so the retry runs again. The same key with a different
 * body is refused with 422. The most recent {@code capacity} keys are remembered in memory; answers that wrote records
 * are also kept in the {@link IdempotencyTopic}, written in the same Kafka transaction as the records, so a restarted
 * service still knows them.
 */
final class IdempotentRequests {

    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final int capacity;
    private final IdempotencyTopic topic;
    private final Map<String, Entry> entries;

    private record Entry(byte[] bodyDigest, CompletableFuture<HttpRouteResponse> response) {
    }

    /** A request's idempotency scope ({@code <user> <method> <path> <key>}) and the SHA-256 of its body. */
    record Key(String scope, byte[] bodyDigest) {
    }

    IdempotentRequests(int capacity, IdempotencyTopic topic) {
        this.capacity = capacity;
        this.topic = topic;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > IdempotentRequests.this.capacity && eldest.getValue().response().isDone();
            }
        };
    }

    /**
     * Serves {@code request} with {@code serve}, once per idempotency key; without the header, every time. {@code serve}
     * gets the request's key when it has one, to write it with its records.
     */
    HttpRouteResponse serve(HttpRouteRequest request, String contentType, Function<Optional<Key>, HttpRouteResponse> serve)
            throws InterruptedException {
        String key = request.header(HEADER).orElse(null);
        if (key == null || key.isBlank()) {
            return serve.apply(Optional.empty());
        }
        String scope = request.user().orElse("") + ' ' + request.method() + ' ' + request.path() + ' ' + key;
        byte[] digest = digest(request.body());
        Entry entry;
        boolean first;
        synchronized (entries) {
            entry = entries.get(scope);
            first = entry == null;
            if (first) {
                entry = new Entry(digest, new CompletableFuture<>());
                entries.put(scope, entry);
            }
        }
        if (!first) {
            if (!Arrays.equals(entry.bodyDigest(), digest)) {
                return differentBody(contentType, key);
            }
            try {
                return entry.response().get().withHeader(REPLAYED_HEADER, "true");
            } catch (ExecutionException e) {
                return serve(request, contentType, serve);
            }
        }
        Optional<IdempotencyTopic.Stored> stored = topic.find(scope);
        if (stored.isPresent()) {
            if (!Arrays.equals(stored.get().bodyDigest(), digest)) {
                forget(scope, entry);
                entry.response().completeExceptionally(new IllegalStateException("different body"));
                return differentBody(contentType, key);
            }
            entry.response().complete(stored.get().response());
            return stored.get().response().withHeader(REPLAYED_HEADER, "true");
        }
        try {
            HttpRouteResponse response = serve.apply(Optional.of(new Key(scope, digest)));
            if (response.status() >= 500) {
                forget(scope, entry);
            }
            entry.response().complete(response);
            return response;
        } catch (RuntimeException e) {
            forget(scope, entry);
            entry.response().completeExceptionally(e);
            throw e;
        }
    }

    private static HttpRouteResponse differentBody(String contentType, String key) {
        return GatewayResponses.error(contentType, 422, 42207, HEADER + " '" + key + "' was used before with a different body");
    }

    private void forget(String scope, Entry entry) {
        synchronized (entries) {
            entries.remove(scope, entry);
        }
    }

    private static byte[] digest(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
