package dev.onepipe.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.util.internal.JacksonUtils;

/**
 * What makes two schema texts "the same schema" in the registry.
 *
 * <p>Avro's parsing canonical form ({@link SchemaNormalization#toParsingForm}) and its 64-bit fingerprint are stored
 * and used as the index, but the parsing form drops defaults, aliases and logical types, which change how data is
 * resolved. Two schemas are therefore identical only when their <em>identity form</em> is equal too: Avro's own
 * compact JSON rendering of the parsed schema with, at every depth,
 * <ul>
 *   <li>every {@code doc} attribute of a schema or field removed (documentation does not change the data);</li>
 *   <li>the attributes of every JSON object sorted by name (JSON objects are unordered, RFC 8259 section 4): Avro
 *       keeps the order in which a schema text lists custom and logical-type attributes such as a decimal's
 *       {@code precision} and {@code scale}, and the order of keys in a record or map default;</li>
 *   <li>every field default rewritten from the value Avro parsed ({@code 1} and {@code 1.0} are the same
 *       {@code double} default);</li>
 *   <li>{@code aliases} sorted (a set: Avro spec, "Aliases").</li>
 * </ul>
 * Array order is kept where it means something: fields, union branches, enum symbols. So re-registering a schema
 * that differs only in whitespace, attribute order, documentation or the spelling of a default returns the existing
 * version, while adding or changing a default creates a new one.
 */
public final class SchemaIdentity {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOC = "doc";

    private final String parsingForm;
    private final long fingerprint;
    private final String identityForm;

    private SchemaIdentity(String parsingForm, long fingerprint, String identityForm) {
        this.parsingForm = parsingForm;
        this.fingerprint = fingerprint;
        this.identityForm = identityForm;
    }

    public static SchemaIdentity of(Schema schema) {
        String parsingForm = SchemaNormalization.toParsingForm(schema);
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        return new SchemaIdentity(parsingForm, fingerprint, identityForm(schema));
    }

    /** Avro parsing canonical form, as stored in the schema version entry. */
    public String parsingForm() {
        return parsingForm;
    }

    /** {@link SchemaNormalization#parsingFingerprint64}, the index used to find candidate matches. */
    public long fingerprint() {
        return fingerprint;
    }

    /** The full compact schema JSON without documentation. */
    public String identityForm() {
        return identityForm;
    }

    private static String identityForm(Schema schema) {
        try {
            JsonNode tree = JSON.readTree(schema.toString());
            normalizeSchema(tree, schema, new HashSet<>());
            return JSON.writeValueAsString(sorted(tree));
        } catch (IOException exception) {
            throw new UncheckedIOException("Avro rendered a schema that is not JSON", exception);
        }
    }

    /**
     * Walks the rendered schema and the parsed {@link Schema} side by side, so that only schema positions are touched:
     * "doc" keys inside default values or custom properties are data, not docs. A named type is rendered in full
     * once and then by name only, so each is visited once.
     */
    private static void normalizeSchema(JsonNode node, Schema schema, Set<String> visitedNames) {
        if (!(node instanceof ObjectNode)) {
            if (node instanceof ArrayNode && schema.getType() == Schema.Type.UNION) {
                for (int branch = 0; branch < node.size(); branch++) {
                    normalizeSchema(node.get(branch), schema.getTypes().get(branch), visitedNames);
                }
            }
            return;
        }
        ObjectNode object = (ObjectNode) node;
        object.remove(DOC);
        sortAliases(object);
        switch (schema.getType()) {
            case RECORD:
                if (!visitedNames.add(schema.getFullName())) {
                    return;
                }
                JsonNode fields = object.get("fields");
                for (int position = 0; fields != null && position < fields.size(); position++) {
                    Schema.Field field = schema.getFields().get(position);
                    ObjectNode fieldNode = (ObjectNode) fields.get(position);
                    fieldNode.remove(DOC);
                    sortAliases(fieldNode);
                    if (field.hasDefaultValue()) {
                        JsonNode parsedDefault = JacksonUtils.toJsonNode(field.defaultVal());
                        if (parsedDefault != null) {
                            fieldNode.set("default", parsedDefault);
                        }
                    }
                    normalizeSchema(fieldNode.get("type"), field.schema(), visitedNames);
                }
                break;
            case ARRAY:
                normalizeSchema(object.get("items"), schema.getElementType(), visitedNames);
                break;
            case MAP:
                normalizeSchema(object.get("values"), schema.getValueType(), visitedNames);
                break;
            default:
                break;
        }
    }

    private static void sortAliases(ObjectNode object) {
        JsonNode aliases = object.get("aliases");
        if (aliases instanceof ArrayNode) {
            List<String> names = new ArrayList<>();
            aliases.forEach(alias -> names.add(alias.asText()));
            Collections.sort(names);
            ArrayNode sortedAliases = object.putArray("aliases");
            names.forEach(sortedAliases::add);
        }
    }

    /** A copy of the tree in which every object's attributes are in name order; arrays keep their order. */
    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode) {
            ObjectNode result = JSON.createObjectNode();
            TreeMap<String, JsonNode> byName = new TreeMap<>();
            node.fields().forEachRemaining(entry -> byName.put(entry.getKey(), entry.getValue()));
            byName.forEach((name, value) -> result.set(name, sorted(value)));
            return result;
        }
        if (node instanceof ArrayNode) {
            ArrayNode result = JSON.createArrayNode();
            node.forEach(element -> result.add(sorted(element)));
            return result;
        }
        return node;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SchemaIdentity)) {
            return false;
        }
        SchemaIdentity that = (SchemaIdentity) other;
        return fingerprint == that.fingerprint && identityForm.equals(that.identityForm);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(fingerprint);
    }

    @Override
    public String toString() {
        return "SchemaIdentity{fingerprint=" + fingerprint + ", form=" + identityForm + "}";
    }
}
