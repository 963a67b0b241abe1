package dev.onepipe.core.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request size limits, the in-flight byte bound and HTTP Basic, over real HTTP with the JDK's client. */
class OnepipeHttpServerLimitsTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path folder;

    private static HttpEndpointSettings limits(long maxRequest, long maxInFlight, Optional<HttpUsers> users) {
        return new HttpEndpointSettings(new InetSocketAddress(HttpEndpointSettings.LOOPBACK, 0), Optional.empty(), Optional.empty(), users,
                maxRequest, maxInFlight, 4);
    }

    private static HttpRequest.Builder post(OnepipeHttpServer server, String path, String body) {
        return HttpRequest.newBuilder(URI.create(server.localUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void aRouteSeesTheBodyAndHeadersAndABodyOverTheLimitIs413() throws Exception {
        try (OnepipeHttpServer server = OnepipeHttpServer.bind(limits(100, 100, Optional.empty()))) {
            server.route("/echo", request -> HttpRouteResponse.json(200, "{\"type\":\"" + request.mediaType() + "\",\"body\":" + request.bodyText()
                    + ",\"admin\":" + request.hasRole("admin") + "}"));
            HttpResponse<String> echoed = CLIENT.send(post(server, "/echo", "[1,2,3]").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, echoed.statusCode());
            assertEquals("{\"type\":\"application/json\",\"body\":[1,2,3],\"admin\":true}", echoed.body(), "no users: every role");

            HttpResponse<String> tooLarge = CLIENT.send(post(server, "/echo", "x".repeat(101)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, tooLarge.statusCode());
            assertTrue(tooLarge.body().startsWith("{\"error_code\":413,"), tooLarge.body());
        }
    }

    @Test
    void requestsOverTheInFlightBoundGet429WithRetryAfter() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (OnepipeHttpServer server = OnepipeHttpServer.bind(limits(1000, 1000, Optional.empty()))) {
            server.route("/slow", request -> {
                holding.countDown();
                assertTrue(release.await(120, TimeUnit.SECONDS));
                return HttpRouteResponse.json(200, "{}");
            });
            CompletableFuture<HttpResponse<String>> first = CLIENT.sendAsync(post(server, "/slow", "x".repeat(900)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(holding.await(120, TimeUnit.SECONDS), "the first request is being served");
            HttpResponse<String> second = CLIENT.send(post(server, "/slow", "y".repeat(200)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, second.statusCode(), second.body());
            assertEquals("1", second.headers().firstValue("Retry-After").orElse(""));
            release.countDown();
            assertEquals(200, first.get(120, TimeUnit.SECONDS).statusCode());
            HttpResponse<String> third = CLIENT.send(post(server, "/slow", "z".repeat(200)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, third.statusCode(), "the bytes are released when a request is answered");
        }
    }

    @Test
    void withUsersEveryPathButHealthNeedsCredentialsAndTheRouteSeesTheRoles() throws Exception {
        Path file = Files.writeString(folder.resolve("users"), "ann:" + HttpUsers.hash("pw".toCharArray()) + ":read\n");
        try (OnepipeHttpServer server = OnepipeHttpServer.bind(limits(1000, 1000, Optional.of(HttpUsers.read(file))))) {
            server.health(() -> HttpRouteResponse.json(200, "{\"healthy\":true}"));
            server.route("/who", request -> HttpRouteResponse.json(200, "{\"user\":\"" + request.user().orElse("") + "\",\"read\":"
                    + request.hasRole("read") + ",\"admin\":" + request.hasRole("admin") + ",\"authorization\":"
                    + request.header("Authorization").isPresent() + "}"));
            HttpResponse<String> anonymous = CLIENT.send(HttpRequest.newBuilder(URI.create(server.localUrl() + "/who")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode());
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm=\"onepipe\""));
            String credentials = "Basic " + Base64.getEncoder().encodeToString("ann:pw".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> ann = CLIENT.send(HttpRequest.newBuilder(URI.create(server.localUrl() + "/who"))
                    .header("Authorization", credentials).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ann.statusCode());
            assertEquals("{\"user\":\"ann\",\"read\":true,\"admin\":false,\"authorization\":false}", ann.body(),
                    "routes never see the credentials");
            HttpResponse<String> health = CLIENT.send(HttpRequest.newBuilder(URI.create(server.localUrl() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        }
    }
}
