package dev.onepipe.testdata;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * IPv4 addresses and CIDR blocks that the sample ad traffic uses for bots. Topologies load the same list
 * (from {@link #RESOURCE_PATH}, or through {@link #standard()}) as their bot blocklist.
 *
 * <p>The shipped list holds documentation ranges only (RFC 5737): the block {@code 203.0.113.0/24} and the
 * single addresses {@code 198.51.100.7}, {@code 198.51.100.42}, {@code 192.0.2.66}. Human users of the
 * generators live in {@code 10.0.0.0/8}, which the list never covers.
 */
public final class BotIpBlocklist {

    /** Class path resource of the shipped list: one address or CIDR block per line, {@code #} comments. */
    public static final String RESOURCE_PATH = "onepipe/bots/bot-ips.txt";

    private static final BotIpBlocklist STANDARD = parse(SampleDatasets.readResource(RESOURCE_PATH));

    private final List<String> entries;
    private final int[] networks;
    private final int[] masks;

    private BotIpBlocklist(final List<String> entries) {
        this.entries = List.copyOf(entries);
        this.networks = new int[entries.size()];
        this.masks = new int[entries.size()];
        for (int index = 0; index < entries.size(); index++) {
            final String entry = entries.get(index);
            final int slash = entry.indexOf('/');
            final int prefixLength = slash < 0 ? 32 : Integer.parseInt(entry.substring(slash + 1));
            if (prefixLength < 0 || prefixLength > 32) {
                throw new IllegalArgumentException("Bad CIDR prefix length in '" + entry + "'");
            }
            final long address = parseAddress(slash < 0 ? entry : entry.substring(0, slash));
            if (address == Long.MIN_VALUE) {
                throw new IllegalArgumentException("Not an IPv4 address or CIDR block: '" + entry + "'");
            }
            // A /0 mask must be 0: shifting an int by 32 is a no-op in Java.
            masks[index] = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
            networks[index] = (int) address & masks[index];
        }
    }

    /** The list shipped at {@link #RESOURCE_PATH}. */
    public static BotIpBlocklist standard() {
        return STANDARD;
    }

    /** Parses a list: one IPv4 address or CIDR block per line; blank lines and text after {@code #} are ignored. */
    public static BotIpBlocklist parse(final String text) {
        final List<String> entries = new ArrayList<>();
        for (final String line : text.split("\n")) {
            final int comment = line.indexOf('#');
            final String entry = (comment < 0 ? line : line.substring(0, comment)).trim();
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return new BotIpBlocklist(entries);
    }

    /** The entries as written: single addresses and CIDR blocks. */
    public List<String> entries() {
        return entries;
    }

    /** Whether a dotted-quad IPv4 address is on the list; anything that is not such an address is not. */
    public boolean contains(final String ip) {
        final long address = parseAddress(ip);
        if (address == Long.MIN_VALUE) {
            return false;
        }
        for (int index = 0; index < networks.length; index++) {
            if (((int) address & masks[index]) == networks[index]) {
                return true;
            }
        }
        return false;
    }

    /** A listed address: an entry chosen uniformly, then an address chosen uniformly inside it. */
    public String randomAddress(final SplittableRandom random) {
        final int index = random.nextInt(networks.length);
        final long blockSize = (~masks[index] & 0xFFFFFFFFL) + 1;
        final long address = (networks[index] & 0xFFFFFFFFL) + random.nextLong(blockSize);
        return formatAddress((int) address);
    }

    static String formatAddress(final int address) {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** The address as an int, or {@link Long#MIN_VALUE} if the text is not a dotted-quad IPv4 address. */
    private static long parseAddress(final String text) {
        if (text == null) {
            return Long.MIN_VALUE;
        }
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Long.MIN_VALUE;
        }
        int address = 0;
        for (final String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(character -> character >= '0' && character <= '9')) {
                return Long.MIN_VALUE;
            }
            final int octet = Integer.parseInt(part);
            if (octet > 255) {
                return Long.MIN_VALUE;
            }
            address = (address << 8) | octet;
        }
        return address;
    }
}
