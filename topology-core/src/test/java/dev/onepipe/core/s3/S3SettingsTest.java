package dev.onepipe.core.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class S3SettingsTest {

    @Test
    void endpointMeansPathStyleAndALocalRegion() {
        S3Settings settings = S3Settings.fromConfig(Map.of("onepipe.s3.bucket", "archive",
                "onepipe.s3.endpoint", "http://127.0.0.1:9000", "onepipe.s3.access.key", "a", "onepipe.s3.secret.key", "b")).orElseThrow();
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), settings.endpoint());
        assertTrue(settings.pathStyle());
        assertEquals(Optional.of("us-east-1"), settings.region());
        assertEquals(settings, S3Settings.fromConfig(settings.toConfig()).orElseThrow());
    }

    @Test
    void noEndpointMeansAwsWithTheDefaultChains() {
        S3Settings settings = S3Settings.fromConfig(Map.of("onepipe.s3.bucket", "archive")).orElseThrow();
        assertEquals(S3Settings.forAws("archive"), settings);
        assertFalse(settings.pathStyle());
        assertTrue(settings.accessKey().isEmpty());
    }

    @Test
    void rejectsHalfCredentialsAndShortBuckets() {
        assertThrows(IllegalArgumentException.class,
                () -> S3Settings.fromConfig(Map.of("onepipe.s3.bucket", "archive", "onepipe.s3.access.key", "a")));
        assertThrows(IllegalArgumentException.class, () -> S3Settings.forAws("ab"));
        assertTrue(S3Settings.fromConfig(Map.of()).isEmpty());
        assertFalse(S3Settings.forEndpoint(URI.create("http://x"), "bucket", "a", "secret").toString().contains("secret"));
    }
}
