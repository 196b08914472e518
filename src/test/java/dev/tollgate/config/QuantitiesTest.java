package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuantitiesTest {

    @Test
    void readsSizesInBytesAndInBinaryAndDecimalUnits() {
        assertThat(Quantities.parseSize("512")).isEqualTo(512);
        assertThat(Quantities.parseSize("512B")).isEqualTo(512);
        assertThat(Quantities.parseSize("8KiB")).isEqualTo(8 * 1024);
        assertThat(Quantities.parseSize("8 MiB")).isEqualTo(8L << 20);
        assertThat(Quantities.parseSize("2GiB")).isEqualTo(2L << 30);
        assertThat(Quantities.parseSize("3KB")).isEqualTo(3_000);
        assertThat(Quantities.parseSize("3MB")).isEqualTo(3_000_000);
        assertThat(Quantities.parseSize("3GB")).isEqualTo(3_000_000_000L);
    }

    @Test
    void rejectsSizesWithUnknownUnitsOrThatOverflow() {
        assertThatThrownBy(() -> Quantities.parseSize("8mb")).hasMessageContaining("KiB, MiB, GiB");
        assertThatThrownBy(() -> Quantities.parseSize("-1")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Quantities.parseSize("1.5MiB")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Quantities.parseSize("99999999999GiB")).hasMessageContaining("too large");
    }

    @Test
    void readsDurationsInMillisecondsSecondsMinutesAndHours() {
        assertThat(Quantities.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Quantities.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Quantities.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Quantities.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void rejectsDurationsWithoutAKnownUnit() {
        assertThatThrownBy(() -> Quantities.parseDuration("5")).hasMessageContaining("ms, s, m or h");
        assertThatThrownBy(() -> Quantities.parseDuration("5d")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Quantities.parseDuration("1.5s")).hasMessageContaining("not a duration");
    }
}
