package dev.onepipe.launcher.gateway;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.core.runtime.http.HttpRouteResponse;

/** JSON bodies in the shapes Confluent's Schema Registry and REST Proxy answer with. */
final class GatewayResponses {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA_REGISTRY_V1 = "application/vnd.schemaregistry.v1+json";
    static final String REST_PROXY_V2 = "application/vnd.kafka.v2+json";

    private GatewayResponses() {
    }

    /** {@code {"error_code": errorCode, "message": message}} with HTTP status {@code status}. */
    static HttpRouteResponse error(String contentType, int status, int errorCode, String message) {
        ObjectNode body = JSON.createObjectNode().put("error_code", errorCode).put("message", message);
        return new HttpRouteResponse(status, contentType, bytes(body));
    }

    static HttpRouteResponse ok(String contentType, JsonNode body) {
        return new HttpRouteResponse(200, contentType, bytes(body));
    }

    static byte[] bytes(JsonNode body) {
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** 403 in Confluent's shape (error code 40301) naming the role the operation needs. */
    static HttpRouteResponse forbidden(String contentType, String user, String role) {
        return error(contentType, 403, 40301, "User " + user + " is denied this operation: it needs the role '" + role + "' (or 'admin')");
    }
}
