package dev.onepipe.campaign;

import java.util.ArrayList;
import java.util.List;

import dev.onepipe.core.dataset.DroppedRecordMetrics;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Filter: drops events from bot addresses, counted as {@link DropReason#BOT_IP}.
 *
 * <p>The blocklist is the store of a {@code GlobalKTable} over a compacted topic whose keys are IPv4 addresses
 * ({@code 198.51.100.7}) and CIDR blocks in canonical form ({@code 203.0.113.0/24}: host bits zero). Every instance
 * holds the whole list and Kafka Streams keeps it current while the application runs, so adding or removing an entry
 * takes effect without a restart. An address is looked up as itself and as each of the 33 blocks that contain it,
 * which finds any canonical entry with a point lookup and no scan.
 */
public final class BotFilter implements FixedKeyProcessor<String, GenericRecord, GenericRecord> {

    private final String blocklistStoreName;
    private final String addressField;
    private final String metricsLabel;
    private FixedKeyProcessorContext<String, GenericRecord> context;
    private KeyValueStore<String, ?> blocklist;
    private DroppedRecordMetrics dropMetrics;

    public BotFilter(String blocklistStoreName, String addressField, String metricsLabel) {
        this.blocklistStoreName = blocklistStoreName;
        this.addressField = addressField;
        this.metricsLabel = metricsLabel;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, GenericRecord> context) {
        this.context = context;
        this.blocklist = context.getStateStore(blocklistStoreName);
        this.dropMetrics = new DroppedRecordMetrics(context.metrics(), metricsLabel);
    }

    @Override
    public void process(FixedKeyRecord<String, GenericRecord> record) {
        String address = FieldText.of(record.value(), addressField).orElse("");
        for (String entry : blocklistEntriesContaining(address)) {
            if (blocklist.get(entry) != null) {
                dropMetrics.record(DropReason.BOT_IP.metricName());
                return;
            }
        }
        context.forward(record);
    }

    /**
     * The blocklist entries that would block {@code address}: the address itself and every CIDR block containing it,
     * from {@code /32} to {@code /0}. An address that is not a dotted-quad IPv4 address only matches itself.
     */
    public static List<String> blocklistEntriesContaining(String address) {
        long parsed = parseIpv4(address);
        if (parsed < 0) {
            return List.of(address);
        }
        List<String> entries = new ArrayList<>(34);
        entries.add(address);
        for (int prefixLength = 32; prefixLength >= 0; prefixLength--) {
            long mask = prefixLength == 0 ? 0 : (0xFFFFFFFFL << (32 - prefixLength)) & 0xFFFFFFFFL;
            entries.add(formatIpv4(parsed & mask) + "/" + prefixLength);
        }
        return entries;
    }

    /**
     * The canonical form of a blocklist entry: an address as is, a block with its host bits cleared
     * ({@code 203.0.113.9/24} becomes {@code 203.0.113.0/24}).
     *
     * @throws IllegalArgumentException when the entry is neither an IPv4 address nor a CIDR block
     */
    public static String canonicalEntry(String entry) {
        String text = entry.trim();
        int slash = text.indexOf('/');
        long address = parseIpv4(slash < 0 ? text : text.substring(0, slash));
        if (address < 0) {
            throw new IllegalArgumentException("Not an IPv4 address or CIDR block: '" + entry + "'");
        }
        if (slash < 0) {
            return formatIpv4(address);
        }
        int prefixLength;
        try {
            prefixLength = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Bad CIDR prefix length in '" + entry + "'", e);
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("Bad CIDR prefix length in '" + entry + "'");
        }
        long mask = prefixLength == 0 ? 0 : (0xFFFFFFFFL << (32 - prefixLength)) & 0xFFFFFFFFL;
        return formatIpv4(address & mask) + "/" + prefixLength;
    }

    /** The address as an unsigned 32-bit number, or -1 when it is not a dotted quad. */
    static long parseIpv4(String text) {
        if (text == null) {
            return -1;
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return -1;
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    static String formatIpv4(long address) {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }
}
