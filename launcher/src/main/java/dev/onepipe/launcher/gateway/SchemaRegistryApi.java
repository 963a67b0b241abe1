package dev.onepipe.launcher.gateway;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.core.runtime.http.HttpRoute;
import dev.onepipe.core.runtime.http.HttpRouteRequest;
import dev.onepipe.core.runtime.http.HttpRouteResponse;
import dev.onepipe.metadata.CompatibilityMode;
import dev.onepipe.metadata.CompatibilityViolation;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.MetadataRegistry;
import dev.onepipe.metadata.RegistrationFailedException;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.RegistrationResult;
import dev.onepipe.metadata.SchemaCompatibilityChecker;
import dev.onepipe.metadata.SchemaVersion;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The Confluent Schema Registry REST API (the subset client libraries, converters and UIs call), answered from
 * onepipe's registry: every read is the committed state of the metadata topic, every write goes through the
 * registry's single writer ({@link MetadataRegistry}), so ids and versions are the ones onepipe's serializers put on
 * the wire and the compatibility rules are the ones {@code onepipe metadata register} applies.
 *
 * <p>Endpoints: {@code GET /subjects}, {@code GET /subjects/{s}/versions}, {@code GET /subjects/{s}/versions/{v|latest}}
 * (and {@code /schema}), {@code POST /subjects/{s}/versions} (register), {@code POST /subjects/{s}} (look up),
 * {@code DELETE /subjects/{s}} and {@code /subjects/{s}/versions/{v}} (soft delete), {@code GET /schemas/ids/{id}}
 * (and {@code /schema}, {@code /subjects}, {@code /versions}), {@code GET /schemas/types},
 * {@code POST /compatibility/subjects/{s}/versions/{v|latest}}, {@code GET|PUT /config} and {@code /config/{s}};
 * onepipe adds {@code GET /datasets} and {@code GET /datasets/{name}} (dataset metadata).
 *
 * <p>Errors are Confluent's: {@code {"error_code": 40401, "message": ...}} with 40401 subject not found, 40402 version
 * not found, 40403 schema not found, 40408 subject has no subject-level compatibility, 409 incompatible schema (the
 * message names each field and the rule it breaks), 42201 invalid schema, 42202 invalid version, 42203 invalid
 * compatibility level, 415 unsupported content type, 50001 registry store error. Roles: {@code read} for reads, look-ups
 * and compatibility checks, {@code register} to register, {@code admin} to change compatibility or delete.
 */
public final class SchemaRegistryApi implements HttpRoute {

    static final String READ = "read";
    static final String REGISTER = "register";
    static final String ADMIN = "admin";

    private static final String TYPE = GatewayResponses.SCHEMA_REGISTRY_V1;
    private static final Set<String> ACCEPTED_MEDIA_TYPES = Set.of("", GatewayResponses.SCHEMA_REGISTRY_V1,
            "application/vnd.schemaregistry+json", "application/json", "application/octet-stream");

    private final MetadataRegistry registry;

    public SchemaRegistryApi(MetadataRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HttpRouteResponse handle(HttpRouteRequest request) {
        if (!ACCEPTED_MEDIA_TYPES.contains(request.mediaType())) {
            return GatewayResponses.error(TYPE, 415, 415, "Content-Type " + request.mediaType() + " is not supported; send "
                    + GatewayResponses.SCHEMA_REGISTRY_V1 + " or application/json");
        }
        List<String> path = request.pathSegments();
        String method = request.method();
        String role = "GET".equals(method) || "HEAD".equals(method) || isLookup(path, method) ? READ
                : "POST".equals(method) && path.size() == 3 && path.get(0).equals("subjects") ? REGISTER : ADMIN;
        if ("PUT".equals(method) && path.get(0).equals("config")) {
            role = REGISTER; // a change of compatibility is checked for admin below; restating the current level is not a change
        }
        if (!allowed(request, role)) {
            return GatewayResponses.forbidden(TYPE, request.user().orElse("(anonymous)"), role);
        }
        try {
            return dispatch(request, path, method);
        } catch (BadRequest e) {
            return e.response;
        } catch (RegistrationFailedException e) {
            return GatewayResponses.error(TYPE, 500, 50001, "Error in the backend metadata topic: " + e.getMessage());
        }
    }

    static boolean allowed(HttpRouteRequest request, String role) {
        return request.hasRole(role) || request.hasRole(ADMIN);
    }

    private static boolean isLookup(List<String> path, String method) {
        return "POST".equals(method) && (path.size() == 2 && path.get(0).equals("subjects") || path.get(0).equals("compatibility"));
    }

    private HttpRouteResponse dispatch(HttpRouteRequest request, List<String> path, String method) {
        String root = path.isEmpty() ? "" : path.get(0);
        int size = path.size();
        switch (root) {
            case "subjects":
                if (size == 1 && method.equals("GET")) {
                    return listSubjects(request);
                }
                if (size == 2 && method.equals("POST")) {
                    return lookUp(path.get(1), request);
                }
                if (size == 2 && method.equals("DELETE")) {
                    return deleteSubject(path.get(1), request);
                }
                if (size == 3 && path.get(2).equals("versions") && method.equals("GET")) {
                    return listVersions(path.get(1), request);
                }
                if (size == 3 && path.get(2).equals("versions") && method.equals("POST")) {
                    return register(path.get(1), request);
                }
                if (size == 4 && path.get(2).equals("versions") && method.equals("GET")) {
                    return ok(versionBody(version(path.get(1), path.get(3), request)));
                }
                if (size == 4 && path.get(2).equals("versions") && method.equals("DELETE")) {
                    return deleteVersion(path.get(1), path.get(3), request);
                }
                if (size == 5 && path.get(2).equals("versions") && path.get(4).equals("schema") && method.equals("GET")) {
                    return rawSchema(version(path.get(1), path.get(3), request));
                }
                break;
            case "schemas":
                if (size == 2 && path.get(1).equals("types") && method.equals("GET")) {
                    return ok(GatewayResponses.JSON.createArrayNode().add("AVRO"));
                }
                if (size >= 3 && path.get(1).equals("ids") && method.equals("GET")) {
                    return schemaById(path.get(2), size == 4 ? path.get(3) : "", size <= 4);
                }
                break;
            case "compatibility":
                if (size == 5 && path.get(1).equals("subjects") && path.get(3).equals("versions") && method.equals("POST")) {
                    return compatibility(path.get(2), path.get(4), request);
                }
                break;
            case "config":
                if (size <= 2 && method.equals("GET")) {
                    return getConfig(size == 2 ? path.get(1) : null, request);
                }
                if (size <= 2 && method.equals("PUT")) {
                    return putConfig(size == 2 ? path.get(1) : null, request);
                }
                break;
            case "datasets":
                if (size == 1 && method.equals("GET")) {
                    ArrayNode names = GatewayResponses.JSON.createArrayNode();
                    registry.listDatasets().forEach(dataset -> names.add(dataset.name()));
                    return ok(names);
                }
                if (size == 2 && method.equals("GET")) {
                    return dataset(path.get(1));
                }
                break;
            default:
                break;
        }
        return GatewayResponses.error(TYPE, 404, 404, "HTTP 404 Not Found: no " + method + " " + request.path());
    }

    private HttpRouteResponse listSubjects(HttpRouteRequest request) {
        boolean deleted = flag(request, "deleted");
        MetadataCatalog catalog = registry.catalog();
        ArrayNode subjects = GatewayResponses.JSON.createArrayNode();
        for (String subject : catalog.subjects()) {
            if (deleted || !catalog.activeSchemaVersions(subject).isEmpty()) {
                subjects.add(subject);
            }
        }
        return ok(subjects);
    }

    private HttpRouteResponse listVersions(String subject, HttpRouteRequest request) {
        List<SchemaVersion> versions = versions(registry.catalog(), subject, flag(request, "deleted"));
        ArrayNode numbers = GatewayResponses.JSON.createArrayNode();
        versions.forEach(version -> numbers.add(version.version()));
        return ok(numbers);
    }

    private HttpRouteResponse register(String subject, HttpRouteRequest request) {
        String schemaText = schemaText(request);
        parse(schemaText);
        RegistrationResult result = registry.register(RegistrationRequest.schema(subject, schemaText));
        if (result.accepted()) {
            return ok(GatewayResponses.JSON.createObjectNode().put("id", result.schemaVersion().orElseThrow().id()));
        }
        throw rejection(subject, result);
    }

    private HttpRouteResponse lookUp(String subject, HttpRouteRequest request) {
        String schemaText = schemaText(request);
        Schema schema = parse(schemaText);
        MetadataCatalog catalog = registry.catalog();
        versions(catalog, subject, false);
        SchemaVersion found = catalog.findSchemaVersion(subject, schema).orElseThrow(() ->
                new BadRequest(GatewayResponses.error(TYPE, 404, 40403, "Schema not found under subject '" + subject + "'")));
        return ok(versionBody(found));
    }

    private HttpRouteResponse compatibility(String subject, String versionText, HttpRouteRequest request) {
        Schema candidate = parse(schemaText(request));
        MetadataCatalog catalog = registry.catalog();
        SchemaVersion against = version(catalog, subject, versionText, false);
        List<String> messages = new ArrayList<>();
        for (CompatibilityMode mode : modes(catalog, subject)) {
            List<SchemaVersion> checked = "latest".equals(versionText) || "-1".equals(versionText) ? catalog.activeSchemaVersions(subject)
                    : List.of(against);
            for (CompatibilityViolation violation : SchemaCompatibilityChecker.check(mode, candidate, checked)) {
                messages.add(violation.toString());
            }
        }
        ObjectNode body = GatewayResponses.JSON.createObjectNode().put("is_compatible", messages.isEmpty());
        if (flag(request, "verbose")) {
            ArrayNode list = body.putArray("messages");
            messages.forEach(list::add);
        }
        return ok(body);
    }

    private HttpRouteResponse deleteVersion(String subject, String versionText, HttpRouteRequest request) {
        refusePermanentDelete(request);
        SchemaVersion version = version(registry.catalog(), subject, versionText, false);
        RegistrationResult result = registry.deleteSchemaVersion(subject, version.version());
        if (!result.accepted()) {
            throw rejection(subject, result);
        }
        return ok(GatewayResponses.JSON.getNodeFactory().numberNode(version.version()));
    }

    private HttpRouteResponse deleteSubject(String subject, HttpRouteRequest request) {
        refusePermanentDelete(request);
        List<SchemaVersion> versions = versions(registry.catalog(), subject, false);
        ArrayNode deleted = GatewayResponses.JSON.createArrayNode();
        for (SchemaVersion version : versions) {
            RegistrationResult result = registry.deleteSchemaVersion(subject, version.version());
            if (!result.accepted()) {
                throw rejection(subject, result);
            }
            deleted.add(version.version());
        }
        return ok(deleted);
    }

    private HttpRouteResponse schemaById(String idText, String what, boolean known) {
        int id;
        try {
            id = Integer.parseInt(idText);
        } catch (NumberFormatException e) {
            throw new BadRequest(GatewayResponses.error(TYPE, 404, 40403, "Schema " + idText + " not found"));
        }
        SchemaVersion version = registry.catalog().schemaById(id).orElseThrow(() ->
                new BadRequest(GatewayResponses.error(TYPE, 404, 40403, "Schema " + idText + " not found")));
        switch (known ? what : "?") {
            case "":
                return ok(GatewayResponses.JSON.createObjectNode().put("schema", version.schemaJson()));
            case "schema":
                return rawSchema(version);
            case "subjects":
                return ok(GatewayResponses.JSON.createArrayNode().add(version.subject()));
            case "versions":
                ArrayNode pairs = GatewayResponses.JSON.createArrayNode();
                pairs.addObject().put("subject", version.subject()).put("version", version.version());
                return ok(pairs);
            default:
                return GatewayResponses.error(TYPE, 404, 404, "HTTP 404 Not Found");
        }
    }

    private HttpRouteResponse getConfig(String subject, HttpRouteRequest request) {
        if (subject == null) {
            return ok(GatewayResponses.JSON.createObjectNode().put("compatibilityLevel", CompatibilityMode.DEFAULT.name()));
        }
        List<DatasetVersion> datasets = governingDatasets(registry.catalog(), subject);
        if (datasets.isEmpty()) {
            if (flag(request, "defaultToGlobal")) {
                return ok(GatewayResponses.JSON.createObjectNode().put("compatibilityLevel", CompatibilityMode.DEFAULT.name()));
            }
            return GatewayResponses.error(TYPE, 404, 40408, "Subject '" + subject + "' does not have subject-level compatibility "
                    + "configured: no dataset uses it, so it is checked " + CompatibilityMode.DEFAULT);
        }
        return ok(GatewayResponses.JSON.createObjectNode().put("compatibilityLevel", datasets.get(0).metadata().compatibility().name()));
    }

    private HttpRouteResponse putConfig(String subject, HttpRouteRequest request) {
        JsonNode body = jsonBody(request);
        String level = body.path("compatibility").asText("").toUpperCase(Locale.ROOT);
        CompatibilityMode mode;
        try {
            mode = CompatibilityMode.valueOf(level);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42203, "Invalid compatibility level '" + level + "'; one of "
                    + List.of(CompatibilityMode.values())));
        }
        List<DatasetVersion> datasets = subject == null ? List.of() : governingDatasets(registry.catalog(), subject);
        boolean unchanged = datasets.isEmpty() ? mode == CompatibilityMode.DEFAULT
                : datasets.stream().allMatch(dataset -> dataset.metadata().compatibility() == mode);
        if (unchanged) {
            return ok(GatewayResponses.JSON.createObjectNode().put("compatibility", mode.name()));
        }
        if (datasets.isEmpty()) {
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42203, "onepipe keeps the compatibility level in dataset metadata: "
                    + (subject == null ? "the level of subjects no dataset uses" : "subject '" + subject + "' is used by no dataset, so it")
                    + " is always " + CompatibilityMode.DEFAULT + "; register a dataset with \"compatibility\": \"" + mode
                    + "\" to choose another"));
        }
        if (!allowed(request, ADMIN)) {
            return GatewayResponses.forbidden(TYPE, request.user().orElse("(anonymous)"), ADMIN);
        }
        for (DatasetVersion dataset : datasets) {
            RegistrationResult result = registry.register(RegistrationRequest.metadata(
                    dataset.metadata().toBuilder().compatibility(mode).build()));
            if (!result.accepted()) {
                throw new BadRequest(GatewayResponses.error(TYPE, 422, 42203, "Cannot set " + mode + " on dataset '" + dataset.name()
                        + "': " + String.join("; ", result.reasons())));
            }
        }
        return ok(GatewayResponses.JSON.createObjectNode().put("compatibility", mode.name()));
    }

    private HttpRouteResponse dataset(String name) {
        MetadataCatalog catalog = registry.catalog();
        DatasetVersion dataset = catalog.dataset(name).orElseThrow(() ->
                new BadRequest(GatewayResponses.error(TYPE, 404, 40401, "Dataset '" + name + "' not found")));
        ObjectNode body = GatewayResponses.JSON.createObjectNode();
        body.put("name", dataset.name()).put("version", dataset.version());
        try {
            body.set("metadata", GatewayResponses.JSON.readTree(dataset.metadata().toJson()));
        } catch (IOException e) {
            throw new IllegalStateException("Dataset metadata did not render as JSON", e);
        }
        catalog.latestSchemaVersion(dataset.metadata().valueSubject()).ifPresent(schema -> body.set("schema", versionBody(schema)));
        return ok(body);
    }

    /** The active datasets whose values use {@code subject}; their compatibility modes govern it. */
    private static List<DatasetVersion> governingDatasets(MetadataCatalog catalog, String subject) {
        return catalog.datasets().stream().filter(dataset -> dataset.metadata().valueSubject().equals(subject)).toList();
    }

    private static Set<CompatibilityMode> modes(MetadataCatalog catalog, String subject) {
        List<DatasetVersion> datasets = governingDatasets(catalog, subject);
        if (datasets.isEmpty()) {
            return Set.of(CompatibilityMode.DEFAULT);
        }
        return Set.copyOf(datasets.stream().map(dataset -> dataset.metadata().compatibility()).toList());
    }

    private static List<SchemaVersion> versions(MetadataCatalog catalog, String subject, boolean includeDeleted) {
        List<SchemaVersion> versions = includeDeleted ? catalog.schemaVersions(subject) : catalog.activeSchemaVersions(subject);
        if (versions.isEmpty()) {
            throw new BadRequest(GatewayResponses.error(TYPE, 404, 40401, "Subject '" + subject + "' not found."));
        }
        return versions;
    }

    private SchemaVersion version(String subject, String versionText, HttpRouteRequest request) {
        return version(registry.catalog(), subject, versionText, flag(request, "deleted"));
    }

    private static SchemaVersion version(MetadataCatalog catalog, String subject, String versionText, boolean includeDeleted) {
        List<SchemaVersion> versions = versions(catalog, subject, includeDeleted);
        if ("latest".equals(versionText) || "-1".equals(versionText)) {
            return versions.get(versions.size() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(versionText);
        } catch (NumberFormatException e) {
            number = 0;
        }
        if (number < 1) {
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42202, "The specified version '" + versionText
                    + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""));
        }
        final int wanted = number;
        return versions.stream().filter(version -> version.version() == wanted).findFirst().orElseThrow(() ->
                new BadRequest(GatewayResponses.error(TYPE, 404, 40402, "Version " + versionText + " not found.")));
    }

    private static ObjectNode versionBody(SchemaVersion version) {
        return GatewayResponses.JSON.createObjectNode()
                .put("subject", version.subject())
                .put("version", version.version())
                .put("id", version.id())
                .put("schema", version.schemaJson());
    }

    private static HttpRouteResponse rawSchema(SchemaVersion version) {
        return HttpRouteResponse.json(200, version.schemaJson());
    }

    private static BadRequest rejection(String subject, RegistrationResult result) {
        boolean unparseable = result.reasons().stream().anyMatch(reason -> reason.startsWith("schema does not parse")
                || reason.startsWith("subject '"));
        if (unparseable && result.violations().isEmpty()) {
            return new BadRequest(GatewayResponses.error(TYPE, 422, 42201, "Invalid schema: " + String.join("; ", result.reasons())));
        }
        if (result.reasons().stream().anyMatch(reason -> reason.startsWith("subject '") && reason.contains("has no version"))) {
            return new BadRequest(GatewayResponses.error(TYPE, 404, 40402, String.join("; ", result.reasons())));
        }
        return new BadRequest(GatewayResponses.error(TYPE, 409, 409, "Schema being registered is incompatible with an earlier schema "
                + "for subject \"" + subject + "\", details: " + result.reasons()));
    }

    private static void refusePermanentDelete(HttpRouteRequest request) {
        if (flag(request, "permanent")) {
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42201, "onepipe only soft-deletes schema versions: "
                    + "a deleted version keeps its id, so records written with it stay readable"));
        }
    }

    private static String schemaText(HttpRouteRequest request) {
        JsonNode body = jsonBody(request);
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42201, "Invalid schema: onepipe registers Avro schemas only, not "
                    + type));
        }
        if (body.path("references").size() > 0) {
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42201, "Invalid schema: schema references are not supported; "
                    + "inline the referenced types"));
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42201, "Invalid schema: the body needs a \"schema\" field holding "
                    + "the schema as a JSON string"));
        }
        return schema.textValue();
    }

    private static Schema parse(String schemaText) {
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (SchemaParseException | NullPointerException e) {
            // Avro 1.12 reports a reference to an undefined name with a NullPointerException
            throw new BadRequest(GatewayResponses.error(TYPE, 422, 42201, "Invalid schema: " + e.getMessage()));
        }
    }

    private static JsonNode jsonBody(HttpRouteRequest request) {
        try {
            JsonNode body = GatewayResponses.JSON.readTree(request.body());
            if (body == null || !body.isObject()) {
                throw new BadRequest(GatewayResponses.error(TYPE, 400, 400, "the request body must be a JSON object"));
            }
            return body;
        } catch (IOException e) {
            throw new BadRequest(GatewayResponses.error(TYPE, 400, 400, "the request body is not valid JSON: " + e.getMessage()));
        }
    }

    private static boolean flag(HttpRouteRequest request, String name) {
        return request.queryParameter(name).map(Boolean::parseBoolean).orElse(false);
    }

    private static HttpRouteResponse ok(JsonNode body) {
        return GatewayResponses.ok(TYPE, body);
    }

    /** A request answered with an error before it reaches the registry. */
    static final class BadRequest extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final transient HttpRouteResponse response;

        BadRequest(HttpRouteResponse response) {
            super(response.bodyText(), null, false, false);
            this.response = response;
        }
    }
}
