package dev.onepipe.campaign;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code GET /campaigns/<id>/metrics?from=&to=}: a campaign's metrics per window as JSON, from
 * {@link CampaignMetricsQuery}. {@code from} and {@code to} bound the window starts (epoch milliseconds or ISO-8601
 * instants, both optional). A campaign held by another instance is answered with a redirect to it; while the
 * application rebalances the answer is 503, to be retried.
 *
 * <p>Independent of any HTTP server: {@link #handle} takes the request's method, path and query and returns the
 * response, so the same endpoint serves from {@link CampaignMetricsHttpServer} today and from a route of the core HTTP
 * server later.
 */
public final class CampaignMetricsEndpoint {

    public static final String PATH_PREFIX = "/campaigns/";
    public static final String PATH_SUFFIX = "/metrics";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CampaignMetricsQuery query;

    public CampaignMetricsEndpoint(CampaignMetricsQuery query) {
        this.query = query;
    }

    /** An HTTP response: status, headers and a UTF-8 body. */
    public record Response(int status, Map<String, String> headers, String body) {

        static Response json(int status, Object body) {
            try {
                return new Response(status, Map.of("Content-Type", "application/json"), JSON.writeValueAsString(body));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        static Response error(int status, String message) {
            return json(status, Map.of("error", message));
        }
    }

    public Response handle(String method, String path, String rawQuery) {
        if (!path.startsWith(PATH_PREFIX) || !path.endsWith(PATH_SUFFIX) || path.length() <= PATH_PREFIX.length() + PATH_SUFFIX.length()) {
            return Response.error(404, "Not found; ask GET /campaigns/<id>/metrics?from=&to=");
        }
        if (!method.equals("GET")) {
            return Response.error(405, "Only GET");
        }
        String campaignId = URLDecoder.decode(path.substring(PATH_PREFIX.length(), path.length() - PATH_SUFFIX.length()), StandardCharsets.UTF_8);
        Map<String, String> parameters = parameters(rawQuery);
        Instant from;
        Instant to;
        try {
            from = instant(parameters.get("from"), Instant.EPOCH);
            to = instant(parameters.get("to"), Instant.ofEpochMilli(Long.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
        try {
            Optional<HostInfo> owner = query.ownerElsewhere(campaignId);
            if (owner.isPresent()) {
                String location = "http://" + owner.get().host() + ":" + owner.get().port() + path(campaignId) + (rawQuery == null ? "" : "?" + rawQuery);
                return new Response(307, Map.of("Location", location), "");
            }
            return Response.json(200, body(campaignId, from, to, query.metrics(campaignId, from, to)));
        } catch (InvalidStateStoreException e) {
            return new Response(503, Map.of("Content-Type", "application/json", "Retry-After", "1"),
                    "{\"error\":\"the metrics store is not available right now (rebalancing); retry\"}");
        }
    }

    /** The path of a campaign's metrics. */
    public static String path(String campaignId) {
        return PATH_PREFIX + URLEncoder.encode(campaignId, StandardCharsets.UTF_8) + PATH_SUFFIX;
    }

    private static ObjectNode body(String campaignId, Instant from, Instant to, List<CampaignMetrics> metrics) {
        ObjectNode body = JSON.createObjectNode();
        body.put("campaign_id", campaignId);
        body.put("from", from.toEpochMilli());
        body.put("to", to.toEpochMilli());
        ArrayNode windows = body.putArray("windows");
        for (CampaignMetrics window : metrics) {
            ObjectNode node = windows.addObject();
            node.put("window_start", window.windowStart());
            node.put("window_end", window.windowEnd());
            node.put("ads_served", window.adsServed());
            node.put("views", window.views());
            node.put("clicks", window.clicks());
            node.put("distinct_users", window.distinctUsers());
            node.put("click_through_rate", window.clickThroughRate());
        }
        return body;
    }

    /** Reads a response body of this endpoint back into metrics. */
    public static List<CampaignMetrics> parse(String json) {
        try {
            ObjectNode body = (ObjectNode) JSON.readTree(json);
            String campaignId = body.get("campaign_id").asText();
            List<CampaignMetrics> metrics = new ArrayList<>();
            body.get("windows").forEach(window -> metrics.add(new CampaignMetrics(campaignId, window.get("window_start").asLong(),
                    window.get("window_end").asLong(), window.get("ads_served").asLong(), window.get("views").asLong(),
                    window.get("clicks").asLong(), window.get("distinct_users").asLong(), null)));
            return metrics;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("Not a campaign metrics response: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parameters(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            parameters.put(name, value);
        }
        return parameters;
    }

    private static Instant instant(String text, Instant absent) {
        if (text == null || text.isBlank()) {
            return absent;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(text.trim()));
        } catch (NumberFormatException notMillis) {
            try {
                return Instant.parse(text.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is neither epoch milliseconds nor an ISO-8601 instant");
            }
        }
    }
}
