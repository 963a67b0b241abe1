package dev.onepipe.core.runtime.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What an {@link HttpRoute} answers.
 *
 * @param status      the HTTP status code
 * @param contentType the {@code Content-Type} header
 * @param body        the body bytes
 */
public record HttpRouteResponse(int status, String contentType, byte[] body) {

    public static final String JSON = "application/json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";

    public HttpRouteResponse {
        Objects.requireNonNull(contentType, "contentType");
        body = Objects.requireNonNull(body, "body").clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
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
