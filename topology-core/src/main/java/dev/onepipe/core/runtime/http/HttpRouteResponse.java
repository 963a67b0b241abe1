package dev.onepipe.core.runtime.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link HttpRoute} answers.
 *
 * @param status      the HTTP status code
 * @param contentType the {@code Content-Type} header
 * @param body        the body bytes
 * @param headers     further response headers, e.g. {@code Location} of a redirect or {@code Retry-After}
 */
public record HttpRouteResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";

    public HttpRouteResponse {
        Objects.requireNonNull(contentType, "contentType");
        body = Objects.requireNonNull(body, "body").clone();
        headers = Map.copyOf(headers);
    }

    public HttpRouteResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** This response with one more header. */
    public HttpRouteResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpRouteResponse(status, contentType, body, more);
    }

    public static HttpRouteResponse json(int status, String json) {
        return new HttpRouteResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpRouteResponse text(int status, String text) {
        return new HttpRouteResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpRouteResponse notFound(String message) {
        return text(404, message);
    }
}
