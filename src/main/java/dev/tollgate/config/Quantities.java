package dev.tollgate.config;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human-friendly sizes ({@code 8MiB}) and durations ({@code 250ms}) the configuration file uses. */
final class Quantities {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMG]i?B|B)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Map<String, Long> SIZE_UNITS = Map.of(
            "B", 1L,
            "KiB", 1L << 10,
            "MiB", 1L << 20,
            "GiB", 1L << 30,
            "KB", 1_000L,
            "MB", 1_000_000L,
            "GB", 1_000_000_000L);

    private Quantities() {}

    /** Bytes from {@code 8MiB}, {@code 512 KB} or a plain number of bytes. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write a number of bytes or a number with"
                    + " a unit B, KiB, MiB, GiB (powers of 1024) or KB, MB, GB (powers of 1000), e.g. 8MiB");
        }
        long unit = m.group(2) == null ? 1 : SIZE_UNITS.get(m.group(2));
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large", e);
        }
    }

    /** A duration from {@code 250ms}, {@code 5s}, {@code 2m} or {@code 1h}. */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: write a whole number with a unit ms,"
                    + " s, m or h, e.g. 250ms or 5s");
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long", e);
        }
    }
}
