package dev.tollgate.server;

import com.fasterxml.jackson.core.JsonFactory;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.PolicyProfiles;
import dev.tollgate.config.ProviderConfig;
import dev.tollgate.policy.PolicyGate;
import dev.tollgate.provider.UpstreamTarget;
import dev.tollgate.route.RouteTable;
import dev.tollgate.wire.openai.OpenAiRequest;
import dev.tollgate.wire.openai.UsageReader;
import java.util.HashMap;
import java.util.Map;

/**
 * A configuration snapshot with everything the hot path derives from it computed once: resolved upstream targets,
 * a JSON parser factory carrying the depth limit, the secrets to scrub from anything shown to a caller, the compliance
 * policy ready to decide.
 */
record RuntimeConfig(
        GatewayConfig config,
        Map<String, UpstreamTarget> targets,
        RouteTable routes,
        JsonFactory json,
        UsageReader usage,
        long loadedAt,
        PolicyGate policy) {

    static RuntimeConfig of(GatewayConfig config) {
        Map<String, UpstreamTarget> targets = new HashMap<>();
        for (ProviderConfig p : config.providers().values()) {
            targets.put(p.name(), UpstreamTarget.of(p));
        }
        JsonFactory json = OpenAiRequest.parserFactory(config.limits().maxJsonDepth());
        return new RuntimeConfig(
                config,
                Map.copyOf(targets),
                RouteTable.of(config),
                json,
                new UsageReader(json),
                System.currentTimeMillis() / 1000,
                PolicyProfiles.gate(config));
    }

    /** Removes every upstream credential from a text that may reach a caller or a log. */
    String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (ProviderConfig p : config.providers().values()) {
            if (p.apiKey() != null && out.contains(p.apiKey().value())) {
                out = out.replace(p.apiKey().value(), "***");
            }
        }
        return out;
    }
}
