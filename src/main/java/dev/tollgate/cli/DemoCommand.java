package dev.tollgate.cli;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.server.Gateway;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.tenant.ApiKeys;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The gateway with two built-in provider simulators, a demo tenant and key: everything runs in this process and
 * needs no other service. The configuration is written to a real file, which can be edited while it runs.
 */
@Command(name = "demo", description = "Run the gateway against two built-in provider simulators; needs nothing else.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--admin-port", defaultValue = "8081", description = "Admin API port (default ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(
            names = "--sim-ports",
            defaultValue = "19101,19102",
            split = ",",
            description = "Ports of the two simulators (default ${DEFAULT-VALUE}).")
    int[] simPorts;

    @Option(
            names = "--data",
            description =
                    "Directory for the configuration, store and journal (default: a new" + " temporary directory).")
    Path data;

    @Option(
            names = "--token-delay",
            defaultValue = "20ms",
            description = "Delay between streamed chunks of the" + " simulators, e.g. 20ms (default ${DEFAULT-VALUE}).")
    String tokenDelay;

    @Override
    public Integer call() throws Exception {
        Path dir = data != null ? data : Files.createTempDirectory("tollgate-demo-");
        Files.createDirectories(dir);
        Vertx simVertx = Vertx.vertx();
        Duration delay =
                Duration.ofMillis(Long.parseLong(tokenDelay.replace("ms", "").trim()));
        ProviderSimulator a;
        ProviderSimulator b;
        try {
            a = ProviderSimulator.start(
                    simVertx,
                    SimulatorOptions.defaults("sim-a").withPort(simPorts[0]).withTokenDelay(delay));
            b = ProviderSimulator.start(
                    simVertx,
                    // sim-b also speaks Gemini and Bedrock; with the upstream key set it checks x-goog-api-key and
                    // the SigV4 signature (AWS secret = this key) of every request, as the real services do.
                    SimulatorOptions.defaults("sim-b")
                            .withPort(simPorts[1])
                            .withTokenDelay(delay)
                            .withApiKey(UPSTREAM_KEY));
        } catch (RuntimeException e) {
            simVertx.close();
            System.err.println("Could not start the provider simulators on ports " + simPorts[0] + " and " + simPorts[1]
                    + " (" + e.getMessage() + "); choose others with --sim-ports.");
            return 1;
        }
        String key = ApiKeys.generate();
        String adminToken = ApiKeys.generate().replace("tg-", "adm-");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("DEMO_KEY", key);
        env.put("TOLLGATE_ADMIN_TOKEN", adminToken);
        env.put("UPSTREAM_KEY", UPSTREAM_KEY);
        Path file = dir.resolve("tollgate-demo.yaml");
        Files.writeString(file, demoYaml(a.port(), b.port()), StandardCharsets.UTF_8);
        GatewayConfig config;
        try {
            config = ConfigLoader.load(file, env);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        System.out.printf("""

                Tollgate demo is starting.
                  gateway     http://127.0.0.1:%1$d/v1   (OpenAI-compatible)
                  admin API   http://127.0.0.1:%2$d/admin/v1   (token %7$s)
                  dashboard   http://127.0.0.1:%2$d/dashboard   (sign in with the admin token)
                  metrics     http://127.0.0.1:%2$d/metrics     (Prometheus, same token)
                  simulators  %3$s (sim-a, region sg) and %4$s (sim-b, region us)
                  config      %5$s   (edit it: changes apply live)
                  tenant      demo, key %6$s

                Try:
                  curl -s http://127.0.0.1:%1$d/v1/chat/completions -H 'Authorization: Bearer %6$s' \\
                    -H 'Content-Type: application/json' \\
                    -d '{"model":"chat-small","messages":[{"role":"user","content":"Hello, Tollgate!"}]}'

                  curl -sN http://127.0.0.1:%1$d/v1/chat/completions -H 'Authorization: Bearer %6$s' \\
                    -H 'Content-Type: application/json' \\
                    -d '{"model":"chat-small","stream":true,"messages":[{"role":"user","content":"Stream, please"}]}'

                  (models gemini-flash and claude-bedrock go through the Gemini and Bedrock dialects)

                  curl -s 'http://127.0.0.1:%2$d/admin/v1/usage?tenant=demo' -H 'Authorization: Bearer %7$s'

                Press Ctrl-C to stop.
                %n""", port, adminPort, a.baseUrl(), b.baseUrl(), file, key, adminToken);
        try {
            return ServeCommand.runUntilStopped(config, file, env, Gateway.defaultJournal(config));
        } finally {
            a.close();
            b.close();
            simVertx.close();
        }
    }

    private static final String UPSTREAM_KEY = "sim-upstream-key";

    private String demoYaml(int simA, int simB) {
        return """
                # Tollgate demo configuration, written by `tollgate demo`. Edit and save: the gateway applies it live.
                listen: 127.0.0.1:%d
                admin:
                  listen: 127.0.0.1:%d
                  token: ${TOLLGATE_ADMIN_TOKEN}
                store: ./tollgate.db
                providers:
                  sim-a: {type: openai, base_url: http://127.0.0.1:%d/v1, api_key: ${UPSTREAM_KEY}, region: sg}
                  sim-b: {type: openai, base_url: http://127.0.0.1:%d/v1, api_key: ${UPSTREAM_KEY}, region: us}
                  # sim-b again, speaking Google's Gemini API and Amazon Bedrock's Converse API (SigV4-signed):
                  sim-gemini: {type: gemini, base_url: http://127.0.0.1:%4$d, api_key: ${UPSTREAM_KEY}, region: us}
                  sim-bedrock: {type: bedrock, base_url: http://127.0.0.1:%4$d, region: us-east-1,
                                access_key_id: %5$s, secret_access_key: ${UPSTREAM_KEY}}
                models:
                  chat-small:
                    - {provider: sim-a, model: sim-chat, priority: 1}
                    - {provider: sim-b, model: sim-chat, priority: 2}
                  embed-small:
                    - {provider: sim-a, model: sim-embed}
                  gemini-flash:                 # OpenAI or Anthropic callers, translated to Gemini and back
                    - {provider: sim-gemini, model: gemini-2.5-flash}
                  claude-bedrock:               # ... and to Bedrock Converse, binary event stream included
                    - {provider: sim-bedrock, model: anthropic.claude-sonnet-4-5-v1:0}
                tenants:
                  demo:
                    country: DE
                    keys: [${DEMO_KEY}]
                """.formatted(port, adminPort, simA, simB, ProviderSimulator.AWS_ACCESS_KEY_ID);
    }
}
