package dev.onepipe.core.runtime.http;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A request to an {@link HttpRoute}.
 *
 * @param method the HTTP method, upper case
 * @param uri     the request URI as sent: path and query
 * @param headers the request headers, names in lower case, first value of a repeated header
 * @param body    the request body (empty for GET), at most the endpoint's request size limit
 * @param user    the authenticated user, empty when the endpoint has no users configured
 * @param roles   the roles of the authenticated user; every role when the endpoint has no users configured
 */
public record HttpRouteRequest(String method, URI uri, Map<String, String> headers, byte[] body, Optional<String> user,
                               Set<String> roles) {

    /** The roles an endpoint without users grants every request: it then listens on the loopback interface only. */
    public static final Set<String> ALL_ROLES = Set.of("*");

    public HttpRouteRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Map<String, String> lowerCase = new LinkedHashMap<>();
        Objects.requireNonNull(headers, "headers").forEach((name, value) -> lowerCase.putIfAbsent(name.toLowerCase(Locale.ROOT), value));
        headers = Map.copyOf(lowerCase);
        body = Objects.requireNonNull(body, "body");
        Objects.requireNonNull(user, "user");
        roles = Set.copyOf(roles);
    }

    /** A request without headers, body or user, as a read-only route sees it. */
    public HttpRouteRequest(String method, URI uri) {
        this(method, uri, Map.of(), new byte[0], Optional.empty(), ALL_ROLES);
    }

    /** A header by name, any case. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The media type of the body without parameters, lower case, e.g. {@code application/json}; empty without one. */
    public String mediaType() {
        String contentType = header("Content-Type").orElse("");
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Whether the caller holds {@code role} (an endpoint without users grants every role). */
    public boolean hasRole(String role) {
        return roles.contains(role) || roles.contains("*");
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
