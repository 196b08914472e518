package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** Reading the wait an upstream asks for. */
class RetryAfterTest {
    private static final long NOW = Instant.parse("2026-11-22T06:00:00Z").toEpochMilli();

    @Test
    void openAisRetryAfterMsWinsOverTheWholeSeconds() {
        assertThat(Exchange.retryAfterMillis("300", "1", NOW)).isEqualTo(300);
        assertThat(Exchange.retryAfterMillis("12.5", null, NOW)).isEqualTo(13);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertThat(Exchange.retryAfterMillis(null, "7", NOW)).isEqualTo(7_000);
        String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochMilli(NOW + 30_000).atZone(ZoneOffset.UTC));
        assertThat(Exchange.retryAfterMillis(null, in30s, NOW)).isEqualTo(30_000);
        assertThat(Exchange.retryAfterMillis(null, "Sat, 01 Jan 2000 00:00:00 GMT", NOW))
                .as("a date in the past means now")
                .isZero();
    }

    @Test
    void absentMeansNoneAndGarbageMeansOneSecond() {
        assertThat(Exchange.retryAfterMillis(null, null, NOW)).isEqualTo(-1);
        assertThat(Exchange.retryAfterMillis("soon", "later", NOW)).isEqualTo(1_000);
        assertThat(Exchange.retryAfterMillis(null, "-5", NOW)).isZero();
    }
}
