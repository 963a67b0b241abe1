package dev.onepipe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.onepipe.core.config.OnepipeConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;

/** Settings declared once as a ConfigDef: listed for {@code onepipe topologies}, read typed, refused when invalid. */
class TopologySettingTest {

    private static final ConfigDef DEFINITION = new ConfigDef()
            .define("onepipe.test.window.ms", Type.LONG, 60_000L, Range.atLeast(1), Importance.HIGH, "Window size.")
            .define("onepipe.test.emit", Type.STRING, "final", ConfigDef.CaseInsensitiveValidString.in("final", "updates"), Importance.LOW, "When.")
            .define("onepipe.test.bucket", Type.STRING, Importance.HIGH, "Where.");

    private static OnepipeConfig config(Map<String, String> values) {
        return OnepipeConfig.builder().layer("flag", values).build();
    }

    @Test
    void listsEverySettingInDeclarationOrderWithItsDefaultAndValidValues() {
        List<TopologySetting> settings = TopologySetting.all(DEFINITION);
        assertEquals(List.of("onepipe.test.window.ms", "onepipe.test.emit", "onepipe.test.bucket"), settings.stream().map(TopologySetting::key).toList());
        assertEquals(List.of(Optional.of("60000"), Optional.of("final"), Optional.empty()), settings.stream().map(TopologySetting::defaultValue).toList());
        assertEquals("Window size. Valid values: [1,...].", settings.get(0).documentation());
        // Kafka prints a case-insensitive list upper-cased, in no particular order
        assertTrue(settings.get(1).documentation().matches("When\\. Valid values: \\(case insensitive\\) \\[(FINAL, UPDATES|UPDATES, FINAL)]\\."),
                settings.get(1).documentation());
        assertEquals("Where.", settings.get(2).documentation());
    }

    @Test
    void readsTypedValuesWithDefaultsForWhatNoLayerSets() {
        AbstractConfig values = TopologySetting.values(DEFINITION, config(Map.of("onepipe.test.bucket", "b", "onepipe.test.emit", "UPDATES",
                "some.other.key", "x")));
        assertEquals(60_000L, values.getLong("onepipe.test.window.ms"));
        assertEquals("UPDATES", values.getString("onepipe.test.emit"));
        assertEquals("b", values.getString("onepipe.test.bucket"));
    }

    @Test
    void refusesAValueOutOfRangeOrAMissingRequiredSettingNamingIt() {
        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class,
                () -> TopologySetting.values(DEFINITION, config(Map.of("onepipe.test.bucket", "b", "onepipe.test.window.ms", "0"))));
        assertTrue(outOfRange.getMessage().contains("onepipe.test.window.ms"), outOfRange.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> TopologySetting.values(DEFINITION, config(Map.of())));
        assertTrue(missing.getMessage().contains("onepipe.test.bucket"), missing.getMessage());
    }
}
