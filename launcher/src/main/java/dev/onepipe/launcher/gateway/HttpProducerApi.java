package dev.onepipe.launcher.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onepipe.core.runtime.http.HttpRoute;
import dev.onepipe.core.runtime.http.HttpRouteRequest;
import dev.onepipe.core.runtime.http.HttpRouteResponse;
import dev.onepipe.metadata.DatasetVersion;
import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.SchemaVersion;
import dev.onepipe.metadata.producer.DatasetProducer;
import dev.onepipe.metadata.producer.JsonConversionException;
import dev.onepipe.metadata.producer.JsonRecordConverter;
import dev.onepipe.metadata.serde.DatasetSerializer;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import dev.onepipe.metadata.serde.WireFormatException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Twilio's HTTP producer service: teams in any language publish to a registered dataset by sending JSON over HTTP.
 *
 * <ul>
 *   <li>{@code POST /datasets/{name}/records} with {@code application/json} (an array of records, or one record) or
 *       JSON lines ({@code application/x-ndjson}, {@code application/jsonl}), in the natural JSON
 *       {@code onepipe produce --json} accepts ({@link JsonRecordConverter}).</li>
 *   <li>Confluent REST Proxy v2 {@code POST /topics/{topic}} with {@code application/vnd.kafka.json.v2+json} (values in
 *       natural JSON, the dataset's latest schema) or {@code application/vnd.kafka.avro.v2+json} (values in Avro's JSON
 *       encoding, written with the schema {@code value_schema_id} names).</li>
 * </ul>
 *
 * <p>Every record of a request is converted, validated against its schema and keyed by the dataset's unique key before
 * any is sent: one invalid record gets 422 listing each invalid record's index, field and rule, and nothing is
 * written. Valid requests go through {@link DatasetProducer} (idempotent, {@code acks=all}); 200 means Kafka
 * acknowledged every record, with each record's partition and offset. When Kafka fails some, the answer is 503 with the
 * partition and offset of each record written and the error of each that was not, so the client knows exactly which
 * to resend. An {@code Idempotency-Key} header makes a retried request write nothing twice, also across a restart:
 * its records and the key go in one Kafka transaction, all or nothing (see {@link IdempotentRequests} and
 * {@link IdempotencyTopic}). Requires the {@code produce} role.
 */
public final class HttpProducerApi implements HttpRoute {

    static final String PRODUCE = "produce";
    static final String JSON_V2 = "application/vnd.kafka.json.v2+json";
    static final String AVRO_V2 = "application/vnd.kafka.avro.v2+json";

    private static final String TYPE = "application/json";
    private static final Set<String> ARRAY_TYPES = Set.of("application/json", "");
    private static final Set<String> LINES_TYPES = Set.of("application/x-ndjson", "application/jsonl", "application/json-lines",
            "application/x-jsonlines", "application/jsonlines");
    private static final Duration CATALOG_CATCH_UP = Duration.ofSeconds(10);

    private final DatasetProducer producer;
    private final MetadataCatalog catalog;
    private final Supplier<MetadataCatalog> committed;
    private final Duration ackTimeout;
    private final IdempotentRequests idempotent;
    private final IdempotencyTopic idempotencyTopic;
    private final Map<String, DatasetSerializer<IndexedRecord>> serializers = new ConcurrentHashMap<>();
    private final Counter produced;
    private final Counter rejected;

    /**
     * @param producer   the producer records go through; its catalog resolves datasets and schemas
     * @param committed  reads the metadata topic's committed state on demand, to tell a dataset registered a moment
     *                   ago (wait for the producer's catalog) from one that does not exist (404)
     * @param ackTimeout how long a request waits for Kafka to acknowledge its records
     * @param idempotencyTopic where the idempotency keys of requests that wrote records are kept, in the same
     *                   transaction as the records
     * @param metrics    where {@code onepipe_http_produced_records_total{dataset}} (records Kafka acknowledged) and
     *                   {@code onepipe_http_rejected_records_total{dataset}} (records of requests answered 422) are kept
     */
    HttpProducerApi(DatasetProducer producer, Supplier<MetadataCatalog> committed, Duration ackTimeout, IdempotencyTopic idempotencyTopic,
                    PrometheusRegistry metrics) {
        this.producer = producer;
        this.idempotencyTopic = idempotencyTopic;
        this.idempotent = new IdempotentRequests(100_000, idempotencyTopic);
        this.catalog = producer.catalog();
        this.committed = committed;
        this.ackTimeout = ackTimeout;
        this.produced = Counter.builder().name("onepipe_http_produced_records")
                .help("Records the HTTP producer wrote and Kafka acknowledged, by dataset").labelNames("dataset").register(metrics);
        this.rejected = Counter.builder().name("onepipe_http_rejected_records")
                .help("Records of requests refused as invalid (422, nothing written), by dataset").labelNames("dataset").register(metrics);
    }

    @Override
    public HttpRouteResponse handle(HttpRouteRequest request) throws InterruptedException {
        List<String> path = request.pathSegments();
        boolean restProxy = !path.isEmpty() && path.get(0).equals("topics");
        String errorType = restProxy ? GatewayResponses.REST_PROXY_V2 : TYPE;
        boolean datasets = path.size() == 3 && path.get(0).equals("datasets") && path.get(2).equals("records");
        boolean topics = path.size() == 2 && restProxy;
        if (!datasets && !topics || !"POST".equals(request.method())) {
            return GatewayResponses.error(errorType, 404, 404, "HTTP 404 Not Found: no " + request.method() + " " + request.path());
        }
        if (!SchemaRegistryApi.allowed(request, PRODUCE)) {
            return GatewayResponses.forbidden(errorType, request.user().orElse("(anonymous)"), PRODUCE);
        }
        return idempotent.serve(request, errorType, key -> {
            try {
                return datasets ? produceRecords(path.get(1), request, key) : produceTopic(path.get(1), request, key);
            } catch (Rejected e) {
                return e.response;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return GatewayResponses.error(errorType, 503, 50301, "interrupted while waiting for Kafka");
            }
        });
    }

    private HttpRouteResponse produceRecords(String datasetName, HttpRouteRequest request, Optional<IdempotentRequests.Key> key)
            throws InterruptedException {
        String mediaType = request.mediaType();
        List<JsonNode> values;
        if (ARRAY_TYPES.contains(mediaType)) {
            JsonNode body = parse(request.body(), TYPE, "the body");
            values = new ArrayList<>();
            if (body.isArray()) {
                body.forEach(values::add);
            } else {
                values.add(body);
            }
        } else if (LINES_TYPES.contains(mediaType)) {
            values = new ArrayList<>();
            String[] lines = request.bodyText().split("\r?\n");
            for (int line = 0; line < lines.length; line++) {
                if (!lines[line].isBlank()) {
                    values.add(parse(lines[line].getBytes(StandardCharsets.UTF_8), TYPE, "line " + (line + 1)));
                }
            }
        } else {
            return GatewayResponses.error(TYPE, 415, 415, "Content-Type " + mediaType + " is not supported; send application/json "
                    + "(an array of records) or application/x-ndjson (JSON lines)");
        }
        if (values.isEmpty()) {
            return GatewayResponses.error(TYPE, 400, 400, "the request holds no records");
        }
        DatasetVersion dataset = dataset(datasetName, TYPE);
        SchemaVersion schema = catalog.latestSchemaVersion(dataset.metadata().valueSubject()).orElseThrow(() ->
                new Rejected(GatewayResponses.error(TYPE, 404, 40403, "dataset '" + datasetName + "' has no active schema version")));
        List<GenericRecord> records = validate(dataset, schema, values, TYPE, 42201);
        return write(dataset, schema, records, false, key, TYPE);
    }

    private HttpRouteResponse produceTopic(String topic, HttpRouteRequest request, Optional<IdempotentRequests.Key> key)
            throws InterruptedException {
        String mediaType = request.mediaType();
        boolean avro = AVRO_V2.equals(mediaType);
        if (!avro && !JSON_V2.equals(mediaType)) {
            return GatewayResponses.error(GatewayResponses.REST_PROXY_V2, 415, 415, "Content-Type " + mediaType + " is not supported; "
                    + "onepipe accepts " + JSON_V2 + " and " + AVRO_V2 + " (binary values would bypass validation)");
        }
        String type = GatewayResponses.REST_PROXY_V2;
        JsonNode body = parse(request.body(), type, "the body");
        JsonNode records = body.path("records");
        if (!records.isArray() || records.isEmpty()) {
            return GatewayResponses.error(type, 422, 42201, "the body needs a non-empty \"records\" array");
        }
        DatasetVersion dataset = datasetForTopic(topic);
        SchemaVersion schema;
        if (avro) {
            schema = avroSchema(dataset, body);
        } else {
            schema = catalog.latestSchemaVersion(dataset.metadata().valueSubject()).orElseThrow(() ->
                    new Rejected(GatewayResponses.error(type, 404, 40403, "dataset '" + dataset.name() + "' has no active schema version")));
        }
        List<JsonNode> values = new ArrayList<>();
        ArrayNode errors = GatewayResponses.JSON.createArrayNode();
        for (int index = 0; index < records.size(); index++) {
            JsonNode record = records.get(index);
            if (!record.path("key").isMissingNode() && !record.path("key").isNull()) {
                errors.addObject().put("index", index).put("field", "key").put("rule", "onepipe keys every record by the dataset's "
                        + "unique key " + dataset.metadata().uniqueKey() + "; leave key out");
            }
            if (!record.path("partition").isMissingNode() && !record.path("partition").isNull()) {
                errors.addObject().put("index", index).put("field", "partition").put("rule", "the partition follows from the unique "
                        + "key; leave partition out");
            }
            values.add(record.get("value"));
        }
        if (!errors.isEmpty()) {
            throw invalid(type, 42201, errors, records.size());
        }
        List<GenericRecord> converted = validate(dataset, schema, values, type, 42203);
        return write(dataset, schema, converted, true, key, type);
    }

    private SchemaVersion avroSchema(DatasetVersion dataset, JsonNode body) {
        String type = GatewayResponses.REST_PROXY_V2;
        String subject = dataset.metadata().valueSubject();
        if (body.hasNonNull("value_schema_id")) {
            int id = body.get("value_schema_id").asInt();
            SchemaVersion version = catalog.awaitSchemaById(id, CATALOG_CATCH_UP).orElseThrow(() ->
                    new Rejected(GatewayResponses.error(type, 404, 40403, "Schema " + id + " not found")));
            if (!version.subject().equals(subject) || version.deleted()) {
                throw new Rejected(GatewayResponses.error(type, 422, 42205, "schema " + id + " is " + (version.deleted() ? "deleted" :
                        "a version of subject '" + version.subject() + "'") + ", not an active version of '" + subject + "', the value subject of "
                        + "dataset '" + dataset.name() + "'"));
            }
            return version;
        }
        if (body.hasNonNull("value_schema")) {
            try {
                org.apache.avro.Schema parsed = new org.apache.avro.Schema.Parser().parse(body.get("value_schema").asText());
                return catalog.findSchemaVersion(subject, parsed).orElseThrow(() -> new Rejected(GatewayResponses.error(type, 422, 42205,
                        "value_schema is not a registered version of subject '" + subject + "'; onepipe does not register schemas "
                                + "while producing: register it first (POST /subjects/" + subject + "/versions)")));
            } catch (org.apache.avro.SchemaParseException e) {
                throw new Rejected(GatewayResponses.error(type, 422, 42205, "value_schema does not parse: " + e.getMessage()));
            }
        }
        throw new Rejected(GatewayResponses.error(type, 422, 42202, "Request includes values and uses a format that requires schemas, "
                + "but does not include the value_schema or value_schema_id fields"));
    }

    /** Converts and checks every value; throws {@link Rejected} with every invalid record when any is invalid. */
    private List<GenericRecord> validate(DatasetVersion dataset, SchemaVersion schema, List<JsonNode> values, String type, int errorCode) {
        String topic = dataset.metadata().topic();
        DatasetSerializer<IndexedRecord> serializer = serializers.computeIfAbsent(dataset.name(), name -> new DatasetSerializer<>(catalog, name));
        UniqueKeyEncoder keys = UniqueKeyEncoder.forDataset(dataset.metadata());
        List<GenericRecord> records = new ArrayList<>(values.size());
        ArrayNode errors = GatewayResponses.JSON.createArrayNode();
        for (int index = 0; index < values.size(); index++) {
            try {
                GenericRecord record = JsonRecordConverter.convert(schema.schema(), values.get(index));
                serializer.serialize(topic, record);
                keys.encodeToBytes(record);
                records.add(record);
            } catch (JsonConversionException e) {
                errors.addObject().put("index", index).put("field", e.fieldPath()).put("rule", e.detail());
            } catch (WireFormatException e) {
                errors.addObject().put("index", index).put("field", e.fieldPath().orElse("(record)")).put("rule", e.detail());
            } catch (IllegalArgumentException e) {
                errors.addObject().put("index", index).put("field", String.valueOf(dataset.metadata().uniqueKey())).put("rule", e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            rejected.labelValues(dataset.name()).inc(values.size());
            throw invalid(type, errorCode, errors, values.size());
        }
        return records;
    }

    /**
     * Writes {@code records}: without an idempotency key through the shared idempotent producer (a 503 then names the
     * records not acknowledged); with one, in a transaction together with the key (all or nothing).
     */
    private HttpRouteResponse write(DatasetVersion dataset, SchemaVersion schema, List<GenericRecord> records, boolean restProxy,
                                    Optional<IdempotentRequests.Key> key, String type) throws InterruptedException {
        if (key.isEmpty()) {
            return acknowledgements(dataset, schema, send(dataset, records), restProxy);
        }
        List<ProducerRecord<byte[], byte[]>> kafkaRecords = new ArrayList<>(records.size());
        for (GenericRecord record : records) {
            kafkaRecords.add(producer.producerRecord(dataset.name(), null, record, null));
        }
        HttpRouteResponse answer = idempotencyTopic.write(key.get().scope(), key.get().bodyDigest(), kafkaRecords, sent -> {
            try {
                return acknowledgements(dataset, schema, sent, restProxy, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return GatewayResponses.error(type, 503, 50301, "interrupted while waiting for Kafka");
            }
        }, type);
        if (answer.status() == 200) {
            produced.labelValues(dataset.name()).inc(records.size());
        }
        return answer;
    }

    private List<Future<RecordMetadata>> send(DatasetVersion dataset, List<GenericRecord> records) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (GenericRecord record : records) {
            sent.add(producer.send(dataset.name(), record));
        }
        return sent;
    }

    private HttpRouteResponse acknowledgements(DatasetVersion dataset, SchemaVersion schema, List<Future<RecordMetadata>> sent,
                                               boolean restProxy) throws InterruptedException {
        return acknowledgements(dataset, schema, sent, restProxy, true);
    }

    private HttpRouteResponse acknowledgements(DatasetVersion dataset, SchemaVersion schema, List<Future<RecordMetadata>> sent,
                                               boolean restProxy, boolean count) throws InterruptedException {
        long deadline = System.nanoTime() + ackTimeout.toNanos();
        ArrayNode offsets = GatewayResponses.JSON.createArrayNode();
        int failed = 0;
        for (int index = 0; index < sent.size(); index++) {
            ObjectNode offset = offsets.addObject();
            if (!restProxy) {
                offset.put("index", index);
            }
            try {
                RecordMetadata metadata = sent.get(index).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                offset.put("partition", metadata.partition()).put("offset", metadata.offset());
                if (restProxy) {
                    offset.putNull("error_code").putNull("error");
                }
            } catch (ExecutionException | TimeoutException e) {
                failed++;
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                offset.putNull("partition").putNull("offset")
                        .put("error_code", cause instanceof RetriableException || cause instanceof TimeoutException ? 2 : 1)
                        .put("error", String.valueOf(cause.getMessage()));
            }
        }
        ObjectNode body = GatewayResponses.JSON.createObjectNode();
        if (restProxy) {
            body.putNull("key_schema_id").put("value_schema_id", schema.id());
        } else {
            body.put("dataset", dataset.name()).put("topic", dataset.metadata().topic()).put("value_schema_id", schema.id());
        }
        body.set("offsets", offsets);
        if (count) {
            produced.labelValues(dataset.name()).inc(sent.size() - failed);
        }
        if (failed > 0) {
            body.put("error_code", 50301).put("message", failed + " of " + sent.size() + " records were not acknowledged by Kafka; "
                    + "the others were written (see offsets): resend only those with an error");
            return new HttpRouteResponse(503, restProxy ? GatewayResponses.REST_PROXY_V2 : TYPE, GatewayResponses.bytes(body))
                    .withHeader("Retry-After", "1");
        }
        return GatewayResponses.ok(restProxy ? GatewayResponses.REST_PROXY_V2 : TYPE, body);
    }

    private DatasetVersion dataset(String name, String type) {
        Optional<DatasetVersion> dataset = catalog.dataset(name);
        if (dataset.isEmpty() && committed.get().dataset(name).isPresent()) {
            dataset = awaitCatalog(() -> catalog.dataset(name));
        }
        return dataset.orElseThrow(() -> new Rejected(GatewayResponses.error(type, 404, 40401, "Dataset '" + name + "' not found")));
    }

    private DatasetVersion datasetForTopic(String topic) {
        Optional<DatasetVersion> dataset = catalog.datasetForTopic(topic);
        if (dataset.isEmpty() && committed.get().datasetForTopic(topic).isPresent()) {
            dataset = awaitCatalog(() -> catalog.datasetForTopic(topic));
        }
        return dataset.orElseThrow(() -> new Rejected(GatewayResponses.error(GatewayResponses.REST_PROXY_V2, 404, 40401,
                "Topic " + topic + " not found: onepipe publishes only to the topics of registered datasets")));
    }

    /** Waits for the producer's catalog to catch up with a registration the committed state already shows. */
    private static Optional<DatasetVersion> awaitCatalog(Supplier<Optional<DatasetVersion>> lookup) {
        long deadline = System.nanoTime() + CATALOG_CATCH_UP.toNanos();
        Optional<DatasetVersion> found = lookup.get();
        while (found.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            found = lookup.get();
        }
        return found;
    }

    private static JsonNode parse(byte[] json, String type, String what) {
        try {
            JsonNode node = GatewayResponses.JSON.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new Rejected(GatewayResponses.error(type, 400, 400, what + " is empty"));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new Rejected(GatewayResponses.error(type, 400, 400, what + " is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new Rejected(GatewayResponses.error(type, 400, 400, what + " could not be read: " + e.getMessage()));
        }
    }

    private static Rejected invalid(String type, int errorCode, ArrayNode errors, int total) {
        ObjectNode body = GatewayResponses.JSON.createObjectNode()
                .put("error_code", errorCode)
                .put("message", errors.size() + " of " + total + " records are invalid; nothing was written");
        body.set("errors", errors);
        return new Rejected(new HttpRouteResponse(422, type, GatewayResponses.bytes(body)));
    }

    /** A request refused before anything was sent. */
    private static final class Rejected extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final transient HttpRouteResponse response;

        Rejected(HttpRouteResponse response) {
            super(response.bodyText(), null, false, false);
            this.response = response;
        }
    }
}
