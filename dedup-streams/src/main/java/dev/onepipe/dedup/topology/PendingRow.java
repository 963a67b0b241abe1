package dev.onepipe.dedup.topology;

import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import dev.onepipe.dedup.table.CleanRow;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A row changed since the task's last clean-table commit, as the pending-rows store keeps it (keyed by unique key).
 *
 * @param row          the key's merged state to commit
 * @param eventDay     the UTC day of its event time
 * @param previousDays days an earlier merged state of the key may be committed under (never {@code eventDay})
 * @param stateKnown   false when the merge store held no state for the key at some change since the last commit
 */
record PendingRow(GenericRecord row, LocalDate eventDay, Set<LocalDate> previousDays, boolean stateKnown) {

    PendingRow {
        previousDays = Set.copyOf(previousDays);
    }

    /**
     * This pending row followed by a newer change of the same key: the newer row and day; the days of both that are
     * not the newer day; known only when both were.
     */
    PendingRow then(PendingRow newer) {
        Set<LocalDate> days = new TreeSet<>(previousDays);
        days.addAll(newer.previousDays());
        days.add(eventDay);
        days.remove(newer.eventDay());
        return new PendingRow(newer.row(), newer.eventDay(), days, stateKnown && newer.stateKnown());
    }

    CleanRow toCleanRow(String uniqueKey) {
        return new CleanRow(uniqueKey, row, eventDay, previousDays, stateKnown);
    }

    /** Bytes: event day, known flag, day count and days (epoch days as longs), then the row in the wire format. */
    static Serde<PendingRow> serde(Serde<GenericRecord> recordSerde) {
        Serializer<GenericRecord> records = recordSerde.serializer();
        Deserializer<GenericRecord> recordReader = recordSerde.deserializer();
        Serializer<PendingRow> serializer = (topic, pending) -> {
            if (pending == null) {
                return null;
            }
            byte[] row = records.serialize(topic, pending.row());
            ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES + 1 + Integer.BYTES + Long.BYTES * pending.previousDays().size() + row.length);
            buffer.putLong(pending.eventDay().toEpochDay()).put((byte) (pending.stateKnown() ? 1 : 0)).putInt(pending.previousDays().size());
            new TreeSet<>(pending.previousDays()).forEach(day -> buffer.putLong(day.toEpochDay()));
            return buffer.put(row).array();
        };
        Deserializer<PendingRow> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            LocalDate eventDay = LocalDate.ofEpochDay(buffer.getLong());
            boolean known = buffer.get() == 1;
            int count = buffer.getInt();
            Set<LocalDate> days = new TreeSet<>();
            for (int i = 0; i < count; i++) {
                days.add(LocalDate.ofEpochDay(buffer.getLong()));
            }
            GenericRecord row = recordReader.deserialize(topic, Arrays.copyOfRange(bytes, buffer.position(), bytes.length));
            return new PendingRow(row, eventDay, days, known);
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
