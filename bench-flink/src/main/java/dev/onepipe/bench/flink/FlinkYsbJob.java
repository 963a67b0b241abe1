package dev.onepipe.bench.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Yahoo Streaming Benchmark query (github.com/yahoo/streaming-benchmarks) as an Apache Flink DataStream job, the
 * peer of onepipe's {@code ysb} topology in {@code onepipe bench campaign-metrics}: read {@code ysb-events}, keep
 * views, join each ad to its campaign, count views per campaign per tumbling event-time window, publish, exactly once.
 *
 * <p>Runs in its own JVM on a local MiniCluster (the Flink Kafka connector's exactly-once sink needs kafka-clients
 * 4.2.0, onepipe uses 4.3.1). Arguments, all {@code --name value}:
 * <ul>
 *   <li>{@code --bootstrap-servers}, {@code --events-topic}, {@code --campaigns-topic}, {@code --output-topic}</li>
 *   <li>{@code --events-schema <file>} and {@code --events-schema-id <id>}: the registered writer schema of the events;
 *       values are in the Confluent wire format (byte 0, 4-byte schema id, Avro binary), a value written with another
 *       schema id fails the job</li>
 *   <li>{@code --campaigns-schema <file>} and {@code --campaigns-schema-id <id>}: the same for the ad-to-campaign mapping</li>
 *   <li>{@code --group-id}: the source commits its offsets there on every completed checkpoint (how the benchmark follows progress)</li>
 *   <li>{@code --parallelism} (the source runs at most one subtask per partition: an idle subtask would hold the
 *       watermark back), {@code --window-ms}, {@code --grace-ms} (watermarks trail the largest event time by the
 *       grace, so a window fires once an event at or past {@code end + grace} is seen on every partition, the rule of a
 *       Kafka Streams window with that grace), {@code --checkpoint-ms} (also how often results become visible to
 *       read_committed readers)</li>
 *   <li>{@code --start earliest|latest}: read the events topic from its start or from its end</li>
 * </ul>
 *
 * <p>Output records: key {@code campaign_id|window_start}, value {@code campaign_id,window_start,window_end,views}
 * (UTF-8, times in epoch ms). Prints {@value #RUNNING_MARKER} once the job runs; runs until killed or failed (no
 * restarts: a failure ends the process with exit code 1).
 */
public final class FlinkYsbJob {

    /** The line printed once the job is running. */
    public static final String RUNNING_MARKER = "onepipe-bench-flink: RUNNING";

    private FlinkYsbJob() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> arguments = parse(args);
        String bootstrapServers = required(arguments, "bootstrap-servers");
        HashMap<String, String> campaignByAd = readCampaigns(bootstrapServers, required(arguments, "campaigns-topic"),
                Files.readString(Path.of(required(arguments, "campaigns-schema"))), Integer.parseInt(required(arguments, "campaigns-schema-id")));
        System.out.println("onepipe-bench-flink: " + campaignByAd.size() + " ads mapped to campaigns");

        Configuration configuration = new Configuration();
        // Kryo stays out: every type below has Flink type information
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        int parallelism = Integer.parseInt(arguments.getOrDefault("parallelism", "1"));
        env.setParallelism(parallelism);
        env.enableCheckpointing(Long.parseLong(arguments.getOrDefault("checkpoint-ms", "100")), CheckpointingMode.EXACTLY_ONCE);

        String eventsTopic = required(arguments, "events-topic");
        long windowMillis = Long.parseLong(arguments.getOrDefault("window-ms", "10000"));
        long graceMillis = Long.parseLong(arguments.getOrDefault("grace-ms", "1000"));
        KafkaSource<Tuple3<String, String, Long>> source = KafkaSource.<Tuple3<String, String, Long>>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(eventsTopic)
                .setGroupId(required(arguments, "group-id"))
                .setStartingOffsets("latest".equals(arguments.getOrDefault("start", "earliest")) ? OffsetsInitializer.latest() : OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new AdEventDeserializer(Files.readString(Path.of(required(arguments, "events-schema"))),
                        Integer.parseInt(required(arguments, "events-schema-id"))))
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
        // a source subtask without a partition would hold the watermark back for ever: no window would fire
        int sourceParallelism = Math.min(parallelism, partitionCount(bootstrapServers, eventsTopic));
        DataStream<Tuple3<String, String, Long>> events = env.fromSource(source,
                WatermarkStrategy.<Tuple3<String, String, Long>>forBoundedOutOfOrderness(Duration.ofMillis(graceMillis))
                        .withTimestampAssigner((event, timestamp) -> event.f2), "ysb-events").setParallelism(sourceParallelism);
        DataStream<String> results = events
                .filter(event -> "view".equals(event.f0)).name("ysb-keep-views")
                .map(view -> Tuple2.of(campaignByAd.get(view.f1), view.f2)).returns(Types.TUPLE(Types.STRING, Types.LONG)).name("ysb-join-campaign")
                .filter(view -> view.f0 != null).name("ysb-drop-unmapped")
                .keyBy(view -> view.f0, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofMillis(windowMillis)))
                .aggregate(new CountViews(), new WindowResult(), Types.LONG, Types.LONG, Types.STRING).name("ysb-count");
        String outputTopic = required(arguments, "output-topic");
        results.sinkTo(KafkaSink.<String>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new ResultSerializer(outputTopic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("onepipe-bench-flink-" + System.currentTimeMillis())
                // Flink's default (1 h) is above the broker's transaction.max.timeout.ms (15 min)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000")
                .build()).name("ysb-publish");

        JobClient job = env.executeAsync("ysb");
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            if (job.getJobStatus().get().isTerminalState()) {
                break;
            }
            Thread.sleep(50);
        }
        System.out.println(RUNNING_MARKER);
        try {
            job.getJobExecutionResult().get();
        } catch (Exception e) {
            System.err.println("onepipe-bench-flink: the job failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** The whole ad-to-campaign mapping, read before the job starts (the original benchmark's Flink job asks Redis). */
    private static HashMap<String, String> readCampaigns(String bootstrapServers, String topic, String schemaJson, int schemaId) throws IOException {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(new Schema.Parser().parse(schemaJson));
        HashMap<String, String> campaignByAd = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end within 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    GenericRecord mapping = decode(reader, record.value(), schemaId, topic);
                    campaignByAd.put(mapping.get("ad_id").toString(), mapping.get("campaign_id").toString());
                }
            }
        }
        return campaignByAd;
    }

    private static int partitionCount(String bootstrapServers, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return consumer.partitionsFor(topic).size();
        }
    }

    static GenericRecord decode(GenericDatumReader<GenericRecord> reader, byte[] value, int schemaId, String topic) throws IOException {
        if (value == null || value.length < 5 || value[0] != 0) {
            throw new IOException("A value on " + topic + " is not in the wire format (byte 0, 4-byte schema id, Avro)");
        }
        int id = ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
        if (id != schemaId) {
            throw new IOException("A value on " + topic + " was written with schema id " + id + "; this job was given schema id " + schemaId);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
        return reader.read(null, decoder);
    }

    /**
     * Decodes an event to (event_type, ad_id, event_time), reading only those fields, as the ysb topology does (an Avro
     * reader schema that projects them: the rest of each event is skipped).
     */
    static final class AdEventDeserializer implements DeserializationSchema<Tuple3<String, String, Long>> {

        private static final List<String> FIELDS_READ = List.of("ad_id", "event_type", "event_time");
        private final String writerSchemaJson;
        private final int schemaId;
        private transient GenericDatumReader<GenericRecord> reader;

        AdEventDeserializer(String writerSchemaJson, int schemaId) {
            this.writerSchemaJson = writerSchemaJson;
            this.schemaId = schemaId;
        }

        @Override
        public void open(InitializationContext context) {
            Schema writer = new Schema.Parser().parse(writerSchemaJson);
            List<Schema.Field> fields = new ArrayList<>();
            for (String name : FIELDS_READ) {
                Schema.Field field = writer.getField(name);
                fields.add(new Schema.Field(field.name(), field.schema(), field.doc(), field.defaultVal()));
            }
            Schema projection = Schema.createRecord(writer.getName(), writer.getDoc(), writer.getNamespace(), false, fields);
            reader = new GenericDatumReader<>(writer, projection);
        }

        @Override
        public Tuple3<String, String, Long> deserialize(byte[] message) throws IOException {
            GenericRecord event = decode(reader, message, schemaId, "the events topic");
            return Tuple3.of(event.get("event_type").toString(), event.get("ad_id").toString(), (Long) event.get("event_time"));
        }

        @Override
        public boolean isEndOfStream(Tuple3<String, String, Long> next) {
            return false;
        }

        @Override
        public TypeInformation<Tuple3<String, String, Long>> getProducedType() {
            return Types.TUPLE(Types.STRING, Types.STRING, Types.LONG);
        }
    }

    /** Views in a window: incremental, one long per campaign and window. */
    static final class CountViews implements AggregateFunction<Tuple2<String, Long>, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Tuple2<String, Long> view, Long count) {
            return count + 1;
        }

        @Override
        public Long getResult(Long count) {
            return count;
        }

        @Override
        public Long merge(Long first, Long second) {
            return first + second;
        }
    }

    /** Formats a window's final count as {@code campaign_id,window_start,window_end,views}. */
    static final class WindowResult extends ProcessWindowFunction<Long, String, String, TimeWindow> {
        @Override
        public void process(String campaignId, Context context, Iterable<Long> counts, Collector<String> out) {
            long views = counts.iterator().next();
            out.collect(campaignId + "," + context.window().getStart() + "," + context.window().getEnd() + "," + views);
        }
    }

    /** Keys each result by {@code campaign_id|window_start}, so results of one window land on one partition. */
    static final class ResultSerializer implements KafkaRecordSerializationSchema<String> {
        private final String topic;

        ResultSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(String result, KafkaSinkContext context, Long timestamp) {
            String[] fields = result.split(",", 4);
            return new ProducerRecord<>(topic, (fields[0] + "|" + fields[1]).getBytes(StandardCharsets.UTF_8), result.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (int index = 0; index < args.length; index++) {
            if (!args[index].startsWith("--") || index + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --name value pairs, got: " + String.join(" ", args));
            }
            arguments.put(args[index].substring(2), args[++index]);
        }
        return arguments;
    }

    private static String required(Map<String, String> arguments, String name) {
        String value = arguments.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Missing --" + name);
        }
        return value;
    }
}
