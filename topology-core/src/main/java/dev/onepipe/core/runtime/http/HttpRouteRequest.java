package dev.onepipe.core.runtime.http;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to an {@link HttpRoute}.
 *
 * @param method the HTTP method, upper case
 * @param uri    the request URI as sent: path and query
 */
public record HttpRouteRequest(String method, URI uri) {

    public HttpRouteRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
    }

    public static HttpRouteRequest get(String pathAndQuery) {
        return new HttpRouteRequest("GET", URI.create(pathAndQuery));
    }

    /** The decoded path, e.g. {@code /campaigns/campaign-0001/metrics}. */
    public String path() {
        return uri.getPath();
    }

    /** The path split at slashes, without empty segments: {@code [campaigns, campaign-0001, metrics]}. */
    public List<String> pathSegments() {
        return List.of(path().split("/")).stream().filter(segment -> !segment.isEmpty()).toList();
    }

    /** The query parameters, decoded; the first value of a repeated parameter wins. */
    public Map<String, String> queryParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }

    public Optional<String> queryParameter(String name) {
        return Optional.ofNullable(queryParameters().get(name));
    }
}
