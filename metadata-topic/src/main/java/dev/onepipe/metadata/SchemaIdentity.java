package dev.onepipe.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * What makes two schema texts "the same schema" in the registry.
 *
 * <p>Avro's parsing canonical form ({@link SchemaNormalization#toParsingForm}) and its 64-bit fingerprint are stored
 * and used as the index, but the parsing form drops defaults, aliases and logical types, which change how data is
 * resolved. Two schemas are therefore identical only when their <em>identity form</em> is equal too: Avro's own
 * compact JSON rendering of the parsed schema (which fixes attribute order and whitespace) with every {@code doc}
 * attribute removed. So re-registering a schema that differs only in whitespace, attribute order or documentation
 * returns the existing version, while adding a default creates a new one.
 */
public final class SchemaIdentity {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOC = "doc";

    private final String parsingForm;
    private final long fingerprint;
    private final String identityForm;

    private SchemaIdentity(final String parsingForm, final long fingerprint, final String identityForm) {
        this.parsingForm = parsingForm;
        this.fingerprint = fingerprint;
        this.identityForm = identityForm;
    }

    public static SchemaIdentity of(final Schema schema) {
        final String parsingForm = SchemaNormalization.toParsingForm(schema);
        final long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
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

    private static String identityForm(final Schema schema) {
        try {
            final JsonNode tree = JSON.readTree(schema.toString());
            removeDocumentation(tree);
            return JSON.writeValueAsString(tree);
        } catch (final IOException exception) {
            throw new UncheckedIOException("Avro rendered a schema that is not JSON", exception);
        }
    }

    /** Walks schema positions only: "doc" keys inside default values or custom properties are data, not docs. */
    private static void removeDocumentation(final JsonNode schemaNode) {
        if (schemaNode instanceof ArrayNode) {
            schemaNode.forEach(SchemaIdentity::removeDocumentation);
            return;
        }
        if (!(schemaNode instanceof ObjectNode)) {
            return;
        }
        final ObjectNode schemaObject = (ObjectNode) schemaNode;
        schemaObject.remove(DOC);
        removeDocumentation(schemaObject.get("type"));
        removeDocumentation(schemaObject.get("items"));
        removeDocumentation(schemaObject.get("values"));
        final JsonNode fields = schemaObject.get("fields");
        if (fields instanceof ArrayNode) {
            for (final JsonNode field : fields) {
                if (field instanceof ObjectNode) {
                    ((ObjectNode) field).remove(DOC);
                    removeDocumentation(field.get("type"));
                }
            }
        }
    }

    @Override
    public boolean equals(final Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SchemaIdentity)) {
            return false;
        }
        final SchemaIdentity that = (SchemaIdentity) other;
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
