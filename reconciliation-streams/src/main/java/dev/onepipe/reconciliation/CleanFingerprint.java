package dev.onepipe.reconciliation;

import java.util.Map;

/**
 * What one system holds of one clean bucket (an event-time day).
 *
 * @param rows         rows, duplicates of a key included
 * @param distinctKeys distinct unique keys
 * @param keyHashSum   sum mod 2^64 of the xxHash64 of each row's unique key text
 * @param rowHashSum   sum mod 2^64 of the xxHash64 of each row's canonical form (the merged row)
 * @param checks       each check the dataset declares, by name, its value as text
 */
public record CleanFingerprint(long rows, long distinctKeys, long keyHashSum, long rowHashSum, Map<String, String> checks) {

    public static final CleanFingerprint EMPTY = new CleanFingerprint(0, 0, 0, 0, Map.of());
}
