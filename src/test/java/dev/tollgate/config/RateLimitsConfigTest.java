package dev.tollgate.config;

import static dev.tollgate.config.ConfigLoaderTest.MINIMAL;
import static dev.tollgate.config.ConfigLoaderTest.onlyProblemOf;
import static dev.tollgate.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.admit.RateLimit;
import dev.tollgate.admit.TenantLimits;
import org.junit.jupiter.api.Test;

class RateLimitsConfigTest {
    @Test
    void readsTheLimitsOfTheTenantAndOfEachOfItsKeys() throws Exception {
        GatewayConfig config = parse(MINIMAL + """
                tenants:
                  acme:
                    limits: {requests_per_minute: 600, tokens_per_minute: 200000, concurrent_streams: 20}
                    key_limits:
                      requests_per_minute: 60
                  free:
                """);

        assertThat(config.tenants().get("acme").limits())
                .isEqualTo(new TenantLimits(new RateLimit(600, 200_000, 20), new RateLimit(60, 0, 0)));
        assertThat(config.tenants().get("free").limits()).isEqualTo(TenantLimits.NONE);
    }

    @Test
    void aMisspelledLimitIsRejectedWithItsPositionAndTheRightName() {
        ConfigProblem problem = onlyProblemOf(MINIMAL + """
                tenants:
                  acme:
                    limits: {request_per_minute: 600}
                """);

        assertThat(problem.line()).isEqualTo(8);
        assertThat(problem.column()).isEqualTo(14);
        assertThat(problem.field()).isEqualTo("tenants.acme.limits.request_per_minute");
        assertThat(problem.message()).contains("unknown field").contains("requests_per_minute");
    }

    @Test
    void aLimitOfZeroOrAFractionIsRejected() {
        ConfigProblem zero = onlyProblemOf(MINIMAL + """
                tenants:
                  acme:
                    key_limits: {concurrent_streams: 0}
                """);
        assertThat(zero.field()).isEqualTo("tenants.acme.key_limits.concurrent_streams");
        assertThat(zero.message()).contains("at least 1");

        ConfigProblem fraction = onlyProblemOf(MINIMAL + """
                tenants:
                  acme:
                    limits: {tokens_per_minute: 1.5}
                """);
        assertThat(fraction.line()).isEqualTo(8);
        assertThat(fraction.message()).contains("whole number");
    }
}
