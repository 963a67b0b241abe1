package dev.onepipe.campaign.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onepipe.core.runtime.http.HttpRouteRequest;
import dev.onepipe.core.runtime.http.HttpRouteResponse;
import org.junit.jupiter.api.Test;

/**
 * Bad {@code from}/{@code to} parameters are the client's error: 400 with a JSON error naming the parameter, before the
 * store is asked (so no query is needed here), never a 500.
 */
class CampaignMetricsEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final CampaignMetricsEndpoint endpoint = new CampaignMetricsEndpoint(null);

    private JsonNode badRequest(String pathAndQuery) throws Exception {
        HttpRouteResponse response = endpoint.handle(HttpRouteRequest.get(pathAndQuery));
        assertEquals(400, response.status(), response.bodyText());
        assertEquals(HttpRouteResponse.JSON, response.contentType());
        return JSON.readTree(response.bodyText());
    }

    @Test
    void aNegativeFromIsABadRequest() throws Exception {
        JsonNode error = badRequest("/campaigns/c-1/metrics?from=-86400000");
        assertEquals("'from' '-86400000' is before 1970-01-01T00:00:00Z: window starts are never negative", error.get("error").asText());
    }

    @Test
    void aToBeyondEpochMillisecondsIsABadRequest() throws Exception {
        JsonNode error = badRequest("/campaigns/c-1/metrics?to=%2B1000000000-12-31T23:59:59Z");
        assertTrue(error.get("error").asText().startsWith("'to' '+1000000000-12-31T23:59:59Z' is beyond the range"), error.toString());
    }

    @Test
    void aNegativeToOrAToBeforeFromIsABadRequest() throws Exception {
        assertTrue(badRequest("/campaigns/c-1/metrics?to=-1").get("error").asText().startsWith("'to' '-1' is before 1970"));
        assertEquals("'to' (1970-01-01T00:00:01Z) is before 'from' (1970-01-01T00:00:02Z)",
                badRequest("/campaigns/c-1/metrics?from=2000&to=1000").get("error").asText());
    }

    @Test
    void textThatIsNoTimeIsStillABadRequest() throws Exception {
        assertEquals("'from' 'abc' is neither epoch milliseconds nor an ISO-8601 instant",
                badRequest("/campaigns/c-1/metrics?from=abc").get("error").asText());
    }
}
