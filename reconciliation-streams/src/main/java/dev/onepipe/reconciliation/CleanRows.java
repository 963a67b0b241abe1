package dev.onepipe.reconciliation;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import dev.onepipe.metadata.DatasetMetadata;
import dev.onepipe.metadata.ReconciliationCheck;
import dev.onepipe.metadata.serde.UniqueKeyEncoder;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.apache.avro.Schema;

/**
 * One system's clean rows of a dataset (the clean topic's latest state per key, or the clean table's rows), per
 * event-time day (UTC): the (unique key, row hash) pairs, and every check the dataset's metadata declares
 * ({@link DatasetMetadata#reconciliation()}), computed exactly.
 *
 * <p>Row hash: xxHash64 (seed 0) of the UTF-8 bytes of the row's {@link CanonicalValue}; key hash: xxHash64 of the
 * unique key's text as {@link UniqueKeyEncoder} writes it. Checks: {@code COUNT_DISTINCT} counts distinct canonical
 * values of its field (of the unique key without one); {@code SUM} adds its field as a decimal; {@code MIN} and
 * {@code MAX} compare decimals (numbers, timestamps) or else canonical text; {@code CHECKSUM} is the sum mod 2^64 of
 * the hashes of its field's canonical values (of whole rows without a field).
 */
public final class CleanRows {

    /** The bucket of rows without an event-time field: one for the whole dataset. */
    public static final long ALL_DAYS = Long.MIN_VALUE;
    private static final XXHash64 XX_HASH_64 = XXHashFactory.fastestJavaInstance().hash64();

    private final DatasetMetadata dataset;
    private final Schema schema;
    private final Map<Long, KeyHashes> rows = new TreeMap<>();
    private final Map<Long, Map<String, CheckAccumulator>> checks = new TreeMap<>();
    private final Map<Long, long[]> keyHashSums = new TreeMap<>();

    /**
     * @param dataset the dataset's metadata (unique key, event-time field, checks)
     * @param schema  its latest Avro schema (field schemas for the unique key's text)
     */
    public CleanRows(DatasetMetadata dataset, Schema schema) {
        this.dataset = dataset;
        this.schema = schema;
    }

    /**
     * Takes one row.
     *
     * @param key   the unique key's text, or null to compute it from the row's unique-key fields
     * @param row   the row (an Avro {@code IndexedRecord} or an Iceberg {@code Record})
     * @param field the row's field values by name
     */
    public void add(String key, Object row, Function<String, Object> field) {
        String uniqueKey = key != null ? key : uniqueKey(field);
        long day = dataset.eventTimeField().map(name -> Math.floorDiv(CanonicalValue.epochMillis(field.apply(name)), 86_400_000L)).orElse(ALL_DAYS);
        String canonical = CanonicalValue.of(row);
        rows.computeIfAbsent(day, any -> new KeyHashes()).add(uniqueKey, hash(canonical));
        keyHashSums.computeIfAbsent(day, any -> new long[1])[0] += hash(uniqueKey);
        Map<String, CheckAccumulator> dayChecks = checks.computeIfAbsent(day, any -> {
            Map<String, CheckAccumulator> created = new LinkedHashMap<>();
            dataset.reconciliation().forEach(check -> created.put(check.name(), new CheckAccumulator(check)));
            return created;
        });
        for (CheckAccumulator check : dayChecks.values()) {
            check.add(uniqueKey, canonical, field);
        }
    }

    private String uniqueKey(Function<String, Object> field) {
        List<String> forms = new ArrayList<>();
        for (String name : dataset.uniqueKey()) {
            Object value = field.apply(name);
            if (value instanceof OffsetDateTime || value instanceof LocalDateTime) {
                value = java.time.Instant.ofEpochMilli(CanonicalValue.epochMillis(value));
            }
            Schema.Field avroField = schema.getField(name);
            forms.add(UniqueKeyEncoder.stringForm(name, value, avroField == null ? null : avroField.schema()));
        }
        return UniqueKeyEncoder.join(forms);
    }

    static long hash(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return XX_HASH_64.hash(bytes, 0, bytes.length, 0L);
    }

    /** The fingerprint of every day held, in day order. */
    public Map<Long, CleanFingerprint> fingerprints() {
        Map<Long, CleanFingerprint> prints = new TreeMap<>();
        rows.forEach((day, keys) -> {
            Map<String, String> checkValues = new LinkedHashMap<>();
            checks.get(day).forEach((name, check) -> checkValues.put(name, check.value()));
            prints.put(day, new CleanFingerprint(keys.size(), keys.distinctKeys().size(), keyHashSums.get(day)[0], keys.hashSum(), checkValues));
        });
        return prints;
    }

    /** The (key, row hash) pairs of every day held, sealed. */
    public Map<Long, KeyHashes> rows() {
        rows.values().forEach(KeyHashes::seal);
        return Collections.unmodifiableMap(rows);
    }

    /** A day as text: {@code 2026-11-22}, or {@code all days}. */
    public static String dayLabel(long day) {
        return day == ALL_DAYS ? "all days" : LocalDate.ofEpochDay(day).toString();
    }

    /** One declared check's running value over one day's rows. */
    private static final class CheckAccumulator {
        private final ReconciliationCheck check;
        private final Set<String> distinct = new HashSet<>();
        private BigDecimal sum = BigDecimal.ZERO;
        private BigDecimal extremeNumber;
        private String extremeText;
        private long checksum;

        CheckAccumulator(ReconciliationCheck check) {
            this.check = check;
        }

        void add(String uniqueKey, String canonicalRow, Function<String, Object> field) {
            Optional<String> name = check.field();
            Object value = name.map(field).orElse(null);
            switch (check.kind()) {
                case COUNT_DISTINCT -> distinct.add(name.isPresent() ? CanonicalValue.of(value) : uniqueKey);
                case SUM -> {
                    BigDecimal number = CanonicalValue.number(value);
                    if (number != null) {
                        sum = sum.add(number);
                    }
                }
                case MIN, MAX -> extreme(value, check.kind() == ReconciliationCheck.Kind.MAX ? 1 : -1);
                case CHECKSUM -> checksum += hash(name.isPresent() ? CanonicalValue.of(value) : canonicalRow);
                default -> throw new IllegalStateException("Unknown check kind " + check.kind());
            }
        }

        private void extreme(Object value, int direction) {
            if (value == null) {
                return;
            }
            BigDecimal number = CanonicalValue.number(value);
            if (number != null) {
                if (extremeNumber == null || number.compareTo(extremeNumber) * direction > 0) {
                    extremeNumber = number;
                }
            } else {
                String text = CanonicalValue.of(value);
                if (extremeText == null || text.compareTo(extremeText) * direction > 0) {
                    extremeText = text;
                }
            }
        }

        String value() {
            return switch (check.kind()) {
                case COUNT_DISTINCT -> String.valueOf(distinct.size());
                case SUM -> sum.stripTrailingZeros().toPlainString();
                case MIN, MAX -> extremeNumber != null ? extremeNumber.stripTrailingZeros().toPlainString() : String.valueOf(extremeText);
                case CHECKSUM -> String.format("%016x", checksum);
            };
        }
    }

}
