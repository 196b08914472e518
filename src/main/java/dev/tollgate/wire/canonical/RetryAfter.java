package dev.tollgate.wire.canonical;

import java.time.DateTimeException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;

/** Reads how long a provider asked to wait before trying again. */
public final class RetryAfter {
    private RetryAfter() {}

    /**
     * OpenAI's {@code retry-after-ms} when present, else {@code retry-after} as seconds or as an HTTP date; -1 when
     * neither is given, 1 s when unreadable.
     */
    public static long millis(Function<String, String> header, long nowMillis) {
        String millisHeader = header.apply("retry-after-ms");
        if (millisHeader != null) {
            try {
                return Math.max(0, Math.round(Double.parseDouble(millisHeader.trim())));
            } catch (NumberFormatException e) {
                // fall back to retry-after
            }
        }
        String value = header.apply("retry-after");
        if (value == null) {
            return -1;
        }
        value = value.trim();
        try {
            return Math.max(0, Math.multiplyExact(Long.parseLong(value), 1000L));
        } catch (NumberFormatException | ArithmeticException e) {
            // an HTTP date, perhaps
        }
        try {
            long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
            return Math.max(0, at - nowMillis);
        } catch (DateTimeException e) {
            return 1000;
        }
    }
}
