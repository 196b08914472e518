package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.meter.UsageQuery;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageStatus;
import dev.tollgate.tenant.StoredKey;
import dev.tollgate.tenant.StoredTenant;
import dev.tollgate.testing.TestDatabase;
import dev.tollgate.wire.Usage;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The store's contract, the same on the embedded SQLite file and on PostgreSQL. */
class SqlStoreTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of("SQLite", (Function<Path, TestDatabase>) TestDatabase::sqlite),
                Arguments.of("PostgreSQL", (Function<Path, TestDatabase>) d -> TestDatabase.postgres()));
    }

    private static UsageRecord record(String id, long prompt, long completion) {
        return new UsageRecord(
                id,
                Instant.parse("2026-11-22T00:00:00Z"),
                "acme",
                "key_1",
                "chat",
                "chat-small",
                "sim-a",
                "sim-chat",
                "sim-a/sim-chat",
                "sg",
                new Usage(prompt, completion, 3, 2),
                false,
                UsageStatus.OK,
                200,
                5,
                false,
                1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void storesEachRequestIdOnceAcrossAndWithinBatchesOfAnySize(String name, Function<Path, TestDatabase> db)
            throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore store = SqlStore.open(database.location())) {
            List<UsageRecord> first = new ArrayList<>();
            for (int i = 0; i < 137; i++) {
                first.add(record("req_" + i, 10, 1));
            }
            first.add(record("req_5", 10, 1)); // a duplicate inside the batch
            store.insertUsage(first);
            List<UsageRecord> replay = new ArrayList<>(first.subList(60, 138)); // a replay overlapping the first
            replay.add(record("req_200", 10, 1));
            store.insertUsage(replay);

            var summary = store.summarize(new UsageQuery("acme", null, null, null, null));
            assertThat(summary.requests()).isEqualTo(138);
            assertThat(summary.promptTokens()).isEqualTo(1380);
            assertThat(summary.completionTokens()).isEqualTo(138);
            assertThat(summary.cachedTokens()).isEqualTo(3 * 138);
            assertThat(summary.reasoningTokens()).isEqualTo(2 * 138);
            assertThat(store.requestIds("acme")).hasSize(138).doesNotHaveDuplicates();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void keepsEachRequestsCostAndAddsItUpPerCurrencyAndModel(String name, Function<Path, TestDatabase> db)
            throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore store = SqlStore.open(database.location())) {
            UsageRecord base = record("req_1", 10, 1);
            List<UsageRecord> records = new ArrayList<>();
            long[] usd = {1_500_000, 2_250_001, 3};
            for (int i = 0; i < usd.length; i++) {
                records.add(priced(record("usd_" + i, 10, 1), usd[i], "USD"));
            }
            records.add(priced(record("eur_0", 10, 1), 7, "EUR"));
            records.add(base); // no price: counted in tokens, not in cost
            store.insertUsage(records);
            store.insertUsage(List.of(priced(record("usd_0", 10, 1), usd[0], "USD"))); // a replay is not charged twice

            var summary = store.summarize(new UsageQuery("acme", null, null, null, null));

            assertThat(summary.costMicros())
                    .containsOnlyKeys("USD", "EUR")
                    .containsEntry("USD", usd[0] + usd[1] + usd[2])
                    .containsEntry("EUR", 7L);
            assertThat(summary.byModel().get("chat-small").costMicros()).isEqualTo(summary.costMicros());
        }
    }

    private static UsageRecord priced(UsageRecord r, long micros, String currency) {
        return new UsageRecord(
                r.requestId(),
                r.time(),
                r.tenant(),
                r.keyId(),
                r.endpoint(),
                r.model(),
                r.provider(),
                r.upstreamModel(),
                r.deployment(),
                r.region(),
                r.usage(),
                r.estimated(),
                r.status(),
                r.httpStatus(),
                r.latencyMillis(),
                r.stream(),
                r.attempts(),
                micros,
                currency);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void refusesToEditOrDeleteAUsageRecord(String name, Function<Path, TestDatabase> db) throws Exception {
        try (TestDatabase database = db.apply(dir)) {
            try (SqlStore store = SqlStore.open(database.location())) {
                store.insertUsage(List.of(record("req_1", 1, 1)));
            }
            try (Connection c = database.connect()) {
                assertThatThrownBy(
                                () -> c.createStatement().executeUpdate("UPDATE usage_records SET prompt_tokens = 0"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM usage_records"))
                        .hasMessageContaining("append-only");
            }
            if (database instanceof TestDatabase.Postgres) {
                try (Connection c = database.connect()) {
                    assertThatThrownBy(() -> c.createStatement().executeUpdate("TRUNCATE usage_records"))
                            .hasMessageContaining("append-only");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void keepsTenantsAndKeysAndMovesTheChangeStampOnEveryChange(String name, Function<Path, TestDatabase> db)
            throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore store = SqlStore.open(database.location())) {
            String empty = store.changeStamp();
            store.insertTenant(new StoredTenant("globex", "FR", Instant.parse("2026-11-01T00:00:00Z")));
            String withTenant = store.changeStamp();
            store.insertKey(new StoredKey(
                    "key_1",
                    "globex",
                    "ci",
                    "tg-abc…",
                    "h".repeat(64),
                    List.of("chat-small", "embed-small"),
                    Instant.parse("2026-11-02T00:00:00Z"),
                    null));
            String withKey = store.changeStamp();
            assertThat(store.changeStamp()).as("stable while nothing changes").isEqualTo(withKey);
            var revoked = store.revokeKey("key_1", Instant.parse("2026-11-03T00:00:00Z"));
            String afterRevoke = store.changeStamp();

            assertThat(List.of(empty, withTenant, withKey, afterRevoke)).doesNotHaveDuplicates();
            assertThat(store.tenants()).extracting(StoredTenant::name).containsExactly("globex");
            assertThat(revoked).hasValueSatisfying(k -> {
                assertThat(k.revoked()).isTrue();
                assertThat(k.models()).containsExactly("chat-small", "embed-small");
            });
            assertThat(store.revokeKey("key_missing", Instant.now())).isEmpty();
            assertThat(store.keys("globex")).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void migratesAnExistingDatabaseWithoutLosingRecords(String name, Function<Path, TestDatabase> db) throws Exception {
        try (TestDatabase database = db.apply(dir)) {
            try (SqlStore store = SqlStore.open(database.location())) {
                store.insertUsage(List.of(record("req_1", 7, 1)));
            }
            try (SqlStore again = SqlStore.open(database.location())) {
                assertThat(again.summarize(new UsageQuery("acme", null, null, null, null))
                                .promptTokens())
                        .isEqualTo(7);
            }
        }
    }
}
