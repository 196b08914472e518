package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.admit.CreditEntry;
import dev.tollgate.admit.CreditStore;
import dev.tollgate.admit.Credits;
import dev.tollgate.admit.Grant;
import dev.tollgate.admit.TopUp;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageStatus;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.SimulatorOptions;
import dev.tollgate.store.SqlStore;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.wire.Usage;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Grants, top-ups and their consumption survive a restart on SQLite and PostgreSQL, and a usage record replayed
 * from the journal (after a crash before or after its credit entries were written) consumes exactly once.
 */
class CreditsPersistenceTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String KEY = "tg-persist-key-00000000000000000000000000";
    private static final String ADMIN = "admin-persist";
    private static final String UPSTREAM = "sk-upstream-persist";
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path dir;

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of("SQLite", (Function<Path, TestDatabase>) TestDatabase::sqlite),
                Arguments.of("PostgreSQL", (Function<Path, TestDatabase>) d -> TestDatabase.postgres()));
    }

    private static UsageRecord record(String id, long prompt, long completion, long micros) {
        return new UsageRecord(
                id,
                T0.plusSeconds(60),
                "acme",
                "key_1",
                "chat.completions",
                "chat-small",
                "sim",
                "sim-chat",
                "sim/sim-chat",
                "sg",
                new Usage(prompt, completion, 0, 0),
                false,
                UsageStatus.OK,
                200,
                10,
                false,
                1,
                micros,
                "USD");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aReplayedBatchConsumesOnceWhetherTheCrashCameBeforeOrAfterItsEntriesWereWritten(
            String name, Function<Path, TestDatabase> open) throws Exception {
        try (TestDatabase db = open.apply(dir);
                SqlStore store = SqlStore.open(db.location())) {
            store.insertGrant(new Grant(
                    "promo", "acme", null, 1_000, Set.of(), Grant.Priority.PROMOTIONAL, null, T0, "migration"));
            store.insertTopUp(new TopUp("t1", "acme", "USD", 5_000_000, T0, "inv-1"));
            Credits first = CreditStore.load(store);
            List<UsageRecord> batch = List.of(record("r1", 300, 200, 900), record("r2", 400, 300, 1_400));
            new CreditingSink(store, store, first).insertUsage(batch);
            List<Credits.Source> afterFirst = first.sources("acme");
            assertThat(afterFirst.get(0).used()).isEqualTo(1_000);
            // r1's 500 tokens all came from the promotion; r2 got the other 500 of its 700 tokens there, so 2/7 of
            // its cost (1,400 micro-units) came from the balance
            assertThat(afterFirst.get(1).used()).isEqualTo(400);

            // the process restarts and the journal replays the same batch: nothing new is consumed or written
            Credits restarted = CreditStore.load(store);
            assertThat(restarted.sources("acme")).isEqualTo(afterFirst);
            new CreditingSink(store, store, restarted).insertUsage(batch);
            assertThat(restarted.sources("acme")).isEqualTo(afterFirst);
            assertThat(count(db, "credit_entries")).isEqualTo(3);

            // a crash after the usage rows were stored but before their entries: the replay makes them, once
            List<UsageRecord> late = List.of(record("r3", 10, 10, 500));
            store.insertUsage(late);
            Credits afterCrash = CreditStore.load(store);
            new CreditingSink(store, store, afterCrash).insertUsage(late);
            new CreditingSink(store, store, afterCrash).insertUsage(late);
            Credits again = CreditStore.load(store);
            new CreditingSink(store, store, again).insertUsage(late);
            assertThat(again.sources("acme").get(1).used()).isEqualTo(900);
            assertThat(count(db, "credit_entries")).isEqualTo(4);

            // the tables are append-only
            try (Connection c = db.connect()) {
                assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE credit_entries SET amount = 1"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM credit_grants"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM balance_topups"))
                        .hasMessageContaining("append-only");
            }
            List<CreditEntry> entries = store.creditEntries();
            assertThat(entries).extracting(CreditEntry::source).contains("promo", "balance:USD");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void creditGrantedAndUsedBeforeARestartIsStillUsedAfterIt(String name, Function<Path, TestDatabase> open)
            throws Exception {
        Vertx simVertx = Vertx.vertx();
        ProviderSimulator sim = ProviderSimulator.start(
                simVertx, SimulatorOptions.defaults("sim").withPort(0).withApiKey(UPSTREAM));
        try (TestDatabase db = open.apply(dir)) {
            Path file = dir.resolve("tollgate.yaml");
            Files.writeString(file, """
                    listen: 127.0.0.1:0
                    admin: {listen: 127.0.0.1:0, token: ${ADMIN}}
                    store: ${STORE}
                    providers:
                      sim: {type: openai, base_url: %s, api_key: ${UPSTREAM}, region: sg}
                    models:
                      chat-small:
                        - {provider: sim, model: sim-chat}
                    tenants:
                      acme: {payment: prepaid, keys: [${KEY}]}
                    prices:
                      chat-small:
                        - {currency: USD, input_per_million: 2.50, output_per_million: 10}
                    """.formatted(sim.baseUrl()));
            GatewayConfig config = ConfigLoader.load(
                    file, Map.of("ADMIN", ADMIN, "UPSTREAM", UPSTREAM, "STORE", db.location(), "KEY", KEY));
            Path journal = dir.resolve("journal");
            JsonNode before;
            Gateway a = Gateway.start(config, journal);
            try {
                admin(a, "POST", "/admin/v1/credits", "{\"tenant\":\"acme\",\"tokens\":50,\"id\":\"g1\"}");
                admin(a, "POST", "/admin/v1/credits/topups", "{\"tenant\":\"acme\",\"currency\":\"USD\",\"amount\":1}");
                for (int i = 0; i < 4; i++) {
                    client(a).chat().completions().create(hello());
                }
                before = admin(a, "GET", "/admin/v1/credits?tenant=acme", null);
            } finally {
                a.close();
            }
            assertThat(before.path("data").get(0).path("remaining").asText()).isEqualTo("0");

            Gateway b = Gateway.start(config, journal);
            try {
                JsonNode after = admin(b, "GET", "/admin/v1/credits?tenant=acme", null);
                assertThat(after.path("data")).isEqualTo(before.path("data"));
                client(b).chat().completions().create(hello());
                b.ledger().flush().get();
                JsonNode later = admin(b, "GET", "/admin/v1/credits?tenant=acme", null);
                assertThat(later.path("data").get(1).path("used").asText())
                        .isNotEqualTo(after.path("data").get(1).path("used").asText());
            } finally {
                b.close();
            }
        } finally {
            sim.close();
            simVertx.close().await();
        }
    }

    private static ChatCompletionCreateParams hello() {
        return ChatCompletionCreateParams.builder()
                .model("chat-small")
                .addUserMessage("persisted credit, please")
                .maxCompletionTokens(50)
                .build();
    }

    private static OpenAIClient client(Gateway g) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + g.port() + "/v1")
                .apiKey(KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static JsonNode admin(Gateway g, String method, String path, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path))
                                .method(
                                        method,
                                        body == null
                                                ? HttpRequest.BodyPublishers.noBody()
                                                : HttpRequest.BodyPublishers.ofString(body))
                                .header("authorization", "Bearer " + ADMIN)
                                .header("content-type", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isLessThan(300);
        return MAPPER.readTree(r.body());
    }

    private static long count(TestDatabase db, String table) throws Exception {
        try (Connection c = db.connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
