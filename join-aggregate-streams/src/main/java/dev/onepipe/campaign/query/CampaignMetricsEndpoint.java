package dev.onepipe.campaign.query;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.campaign.CampaignMetrics;
import dev.onepipe.core.runtime.http.HttpRoute;
import dev.onepipe.core.runtime.http.HttpRouteRequest;
import dev.onepipe.core.runtime.http.HttpRouteResponse;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code GET /campaigns/<id>/metrics?from=&to=}: a campaign's metrics per window as JSON, from
 * {@link CampaignMetricsQuery}. {@code from} and {@code to} bound the window starts (epoch milliseconds or ISO-8601
 * instants, both optional). A campaign held by another instance is answered with a redirect to it; while the
 * application rebalances the answer is 503, to be retried. Served by {@code onepipe run campaign-metrics --http-port}.
 */
public final class CampaignMetricsEndpoint implements HttpRoute {

    public static final String PATH_PREFIX = "/campaigns/";
    public static final String PATH_SUFFIX = "/metrics";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CampaignMetricsQuery query;

    public CampaignMetricsEndpoint(CampaignMetricsQuery query) {
        this.query = query;
    }

    @Override
    public HttpRouteResponse handle(HttpRouteRequest request) {
        String path = request.path();
        if (!path.startsWith(PATH_PREFIX) || !path.endsWith(PATH_SUFFIX) || path.length() <= PATH_PREFIX.length() + PATH_SUFFIX.length()) {
            return error(404, "Not found; ask GET /campaigns/<id>/metrics?from=&to=");
        }
        if (!request.method().equals("GET")) {
            return error(405, "Only GET");
        }
        String campaignId = path.substring(PATH_PREFIX.length(), path.length() - PATH_SUFFIX.length());
        Instant from;
        Instant to;
        try {
            from = instant("from", request.queryParameter("from").orElse(null), Instant.EPOCH);
            to = instant("to", request.queryParameter("to").orElse(null), Instant.ofEpochMilli(Long.MAX_VALUE));
            if (to.isBefore(from)) {
                throw new IllegalArgumentException("'to' (" + to + ") is before 'from' (" + from + ")");
            }
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        try {
            Optional<HostInfo> owner = query.ownerElsewhere(campaignId);
            if (owner.isPresent()) {
                String rawQuery = request.uri().getRawQuery();
                String location = "http://" + owner.get().host() + ":" + owner.get().port() + path(campaignId) + (rawQuery == null ? "" : "?" + rawQuery);
                return HttpRouteResponse.text(307, "").withHeader("Location", location);
            }
            return HttpRouteResponse.json(200, body(campaignId, from, to, query.metrics(campaignId, from, to)).toString());
        } catch (InvalidStateStoreException e) {
            return error(503, "the metrics store is not available right now (rebalancing); retry").withHeader("Retry-After", "1");
        }
    }

    private static HttpRouteResponse error(int status, String message) {
        return HttpRouteResponse.json(status, JSON.createObjectNode().put("error", message).toString());
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

    /**
     * The parameter {@code name} as an instant the window store can be asked for: epoch milliseconds or ISO-8601, from
     * 1970-01-01T00:00:00Z (window starts are never negative) up to the largest epoch millisecond.
     *
     * @throws IllegalArgumentException naming the parameter, for anything else
     */
    private static Instant instant(String name, String text, Instant absent) {
        if (text == null || text.isBlank()) {
            return absent;
        }
        Instant instant;
        try {
            instant = Instant.ofEpochMilli(Long.parseLong(text.trim()));
        } catch (NumberFormatException notMillis) {
            try {
                instant = Instant.parse(text.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + name + "' '" + text + "' is neither epoch milliseconds nor an ISO-8601 instant");
            }
        }
        long millis;
        try {
            millis = instant.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + name + "' '" + text + "' is beyond the range of epoch milliseconds");
        }
        if (millis < 0) {
            throw new IllegalArgumentException("'" + name + "' '" + text + "' is before 1970-01-01T00:00:00Z: window starts are never negative");
        }
        return instant;
    }
}
