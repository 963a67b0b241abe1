package dev.onepipe.metadata.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.onepipe.metadata.MetadataCatalog;
import dev.onepipe.metadata.RegistrationPlan;
import dev.onepipe.metadata.RegistrationRequest;
import dev.onepipe.metadata.TestRegistry;
import dev.onepipe.metadata.serde.DatasetDeserializer;
import dev.onepipe.metadata.serde.DatasetSerializer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Registry serdes against plain Avro on the same records and schemas: serializing (the registry serializer also
 * validates every record and writes the 5-byte header) and deserializing data written with v1 as v2 (the registry
 * deserializer also checks the header and resolves the writer by id). Run with the {@code bench} profile.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class SerdeBenchmark {

    private static final int RECORDS = 256;
    private static final String TOPIC = "widgets";

    private GenericRecord[] v2Records;
    private GenericRecord[] plainRecords;
    private byte[][] plainV1Bytes;
    private byte[][] framedV1Bytes;
    private DatasetSerializer<GenericRecord> registrySerializer;
    private DatasetDeserializer<GenericRecord> registryDeserializer;
    private GenericDatumWriter<GenericRecord> plainWriter;
    private GenericDatumReader<GenericRecord> plainReader;
    private ByteArrayOutputStream plainOutput;
    private BinaryEncoder plainEncoder;
    private BinaryDecoder plainDecoder;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        final MetadataCatalog catalog = new MetadataCatalog();
        final RegistrationPlan plan = TestRegistry.planner().plan(catalog, List.of(
            RegistrationRequest.dataset(TestRegistry.widgets(), TestRegistry.WIDGETS_V1),
            RegistrationRequest.datasetSchema("widgets", TestRegistry.WIDGETS_V2)));
        plan.records().forEach(catalog::apply);
        // plain Avro gets its own parsed schemas, as an application would have
        final Schema v1 = TestRegistry.parse(TestRegistry.WIDGETS_V1);
        final Schema v2 = TestRegistry.parse(TestRegistry.WIDGETS_V2);
        final Schema registeredV1 = catalog.schemaById(1).orElseThrow().schema();
        final Schema registeredV2 = catalog.schemaById(2).orElseThrow().schema();

        registrySerializer = new DatasetSerializer<>(catalog, "widgets");
        registryDeserializer = DatasetDeserializer.readingVersion(catalog, "widgets", 2, Duration.ofSeconds(1));
        plainWriter = new GenericDatumWriter<>(v2);
        plainReader = new GenericDatumReader<>(v1, v2);
        plainOutput = new ByteArrayOutputStream(512);

        v2Records = new GenericRecord[RECORDS];
        plainV1Bytes = new byte[RECORDS][];
        framedV1Bytes = new byte[RECORDS][];
        final GenericDatumWriter<GenericRecord> v1Writer = new GenericDatumWriter<>(v1);
        final List<GenericRecord> plainV2 = new ArrayList<>();
        for (int index = 0; index < RECORDS; index++) {
            final GenericRecord v1Record = widget(registeredV1, index);
            framedV1Bytes[index] = registrySerializer.serialize(TOPIC, v1Record);
            plainV1Bytes[index] = encode(v1Writer, widget(v1, index));
            v2Records[index] = widget(registeredV2, index);
            plainV2.add(widget(v2, index));
        }
        plainRecords = plainV2.toArray(new GenericRecord[0]);
    }

    private static GenericRecord widget(final Schema schema, final int index) {
        final GenericRecord record = new GenericData.Record(schema);
        record.put("widget_id", "widget-" + index);
        record.put("name", "A widget called " + index);
        record.put("price", index % 3 == 0 ? null : index * 1.25);
        record.put("version", (long) index);
        record.put("updated_at", 1_714_564_800_000L + index);
        if (schema.getField("color") != null) {
            record.put("color", index % 2 == 0 ? "red" : "blue");
        }
        return record;
    }

    private static byte[] encode(final GenericDatumWriter<GenericRecord> writer, final GenericRecord record)
        throws IOException {
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(output, null);
        writer.write(record, encoder);
        encoder.flush();
        return output.toByteArray();
    }

    private int nextIndex() {
        final int index = next;
        next = index + 1 == RECORDS ? 0 : index + 1;
        return index;
    }

    @Benchmark
    public byte[] serializePlainAvro() throws IOException {
        plainOutput.reset();
        plainEncoder = EncoderFactory.get().binaryEncoder(plainOutput, plainEncoder);
        plainWriter.write(plainRecords[nextIndex()], plainEncoder);
        plainEncoder.flush();
        return plainOutput.toByteArray();
    }

    @Benchmark
    public byte[] serializeRegistry() {
        return registrySerializer.serialize(TOPIC, v2Records[nextIndex()]);
    }

    @Benchmark
    public GenericRecord deserializeResolvingPlainAvro() throws IOException {
        plainDecoder = DecoderFactory.get().binaryDecoder(plainV1Bytes[nextIndex()], plainDecoder);
        return plainReader.read(null, plainDecoder);
    }

    @Benchmark
    public GenericRecord deserializeResolvingRegistry() {
        return registryDeserializer.deserialize(TOPIC, framedV1Bytes[nextIndex()]);
    }
}
