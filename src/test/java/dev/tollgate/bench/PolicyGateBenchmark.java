package dev.tollgate.bench;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.PolicyProfiles;
import dev.tollgate.policy.PolicyDecision;
import dev.tollgate.policy.PolicyGate;
import dev.tollgate.policy.TenantProfile;
import dev.tollgate.route.Deployment;
import dev.tollgate.route.RouteTable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the compliance policy adds to one request of a model with three deployments: the tenant's profile, the clock,
 * and the filter over the planned list, with no rules and with 20 rules (each testing two attributes, in force, none
 * matching the tenant, so every rule is evaluated for every deployment: the worst case short of a match). {@code
 * oneDenied}: a tenant to which one deployment is denied, with the full decision built for the audit log, as
 * PolicyStep does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyGateBenchmark {
    @Param({"0", "20"})
    public int rules;

    private PolicyGate gate;
    private List<Deployment> plan;
    private final Clock clock = Clock.systemUTC();

    @Setup
    public void setUp() throws Exception {
        StringBuilder policy = new StringBuilder();
        if (rules > 0) {
            policy.append("policy:\n  rules:\n");
            policy.append("    - {name: cut, effect: deny, priority: 1, when: {tenant.country: [CN, RU],"
                    + " deployment.open_weights: \"false\"}, reason: closed models cut off}\n");
            for (int i = 1; i < rules; i++) {
                policy.append("    - {name: r")
                        .append(i)
                        .append(", effect: deny, priority: ")
                        .append(10 + i)
                        .append(", when: {tenant.region: [r")
                        .append(i)
                        .append(", s")
                        .append(i)
                        .append("], deployment.region: {not: [x")
                        .append(i)
                        .append("]}},")
                        .append(" effective_from: \"2020-01-01T00:00:00Z\", reason: no}\n");
            }
        }
        GatewayConfig config =
                ConfigLoader.parse("""
                listen: 127.0.0.1:0
                providers:
                  a: {type: openai, base_url: http://127.0.0.1:1/v1, region: us, attributes: {vendor: v, vendor_country: US}}
                  b: {type: openai, base_url: http://127.0.0.1:2/v1, region: eu, attributes: {vendor: v, vendor_country: US}}
                  c: {type: openai, base_url: http://127.0.0.1:3/v1, region: eu, attributes: {vendor: m, license: apache-2.0}}
                models:
                  m:
                    - {provider: a, model: x, priority: 1}
                    - {provider: b, model: x, priority: 2}
                    - {provider: c, model: y, priority: 3}
                tenants:
                  acme: {country: DE, region: eu, tier: verified, ownership: {DE: 100}}
                  dragon: {country: CN, region: cn, tier: verified}
                """ + policy, Path.of("bench.yaml").toAbsolutePath(), Map.of());
        gate = PolicyProfiles.gate(config);
        plan = RouteTable.of(config).deployments("m");
    }

    @Benchmark
    public List<Deployment> allAllowed() {
        TenantProfile t = gate.tenant("acme", "DE");
        return gate.filter(t, "m", plan, Deployment::id, clock.instant());
    }

    @Benchmark
    public Object oneDenied() {
        TenantProfile t = gate.tenant("dragon", "CN");
        Instant now = clock.instant();
        List<Deployment> allowed = gate.filter(t, "m", plan, Deployment::id, now);
        if (allowed == plan) {
            return allowed;
        }
        PolicyDecision d = gate.decide(t, "m", plan.stream().map(Deployment::id).toList(), now);
        return d;
    }
}
