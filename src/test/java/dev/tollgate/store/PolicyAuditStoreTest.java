package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.AuditQuery;
import dev.tollgate.policy.AuditRecord;
import dev.tollgate.policy.AuditTrail;
import dev.tollgate.policy.Effect;
import dev.tollgate.policy.PolicyDecision;
import dev.tollgate.policy.Verdict;
import dev.tollgate.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy audit log in the store, the same on SQLite and PostgreSQL (TOLLGATE_TEST_POSTGRES). */
class PolicyAuditStoreTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> databases() {
        return Stream.of(
                Arguments.of("SQLite", (Function<Path, TestDatabase>) TestDatabase::sqlite),
                Arguments.of("PostgreSQL", (Function<Path, TestDatabase>) d -> TestDatabase.postgres()));
    }

    private static AuditRecord decision(String requestId, String tenant, Instant at, boolean refused) {
        List<Verdict> verdicts = refused
                ? List.of(new Verdict("sim-a/chat", Effect.DENY, "cn-cutoff", "Not served in your country."))
                : List.of(
                        new Verdict("sim-a/chat", Effect.DENY, "cn-cutoff", "Not served in your country."),
                        new Verdict("sim-b/chat", Effect.ALLOW, null, null));
        return AuditRecord.of(new PolicyDecision(tenant, "chat", at, verdicts), requestId);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void decisionsAndPolicyChangesAreReadBackPerTenantSinceAnInstantOldestFirst(
            String name, Function<Path, TestDatabase> db) throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore store = SqlStore.open(database.location())) {
            Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
            store.insertAudit(List.of(
                    AuditRecord.change(t0, true, 1, List.of("rule cn-cutoff (deny, priority 100)")),
                    decision("req_1", "dragon", t0.plusSeconds(1), true),
                    decision("req_2", "acme", t0.plusSeconds(2), false),
                    decision("req_3", "dragon", t0.plusSeconds(3), false),
                    AuditRecord.change(t0.plusSeconds(4), false, 2, List.of("rule ru added (deny, priority 5)"))));

            List<AuditRecord> dragon = store.audit(new AuditQuery("dragon", null, 100));
            assertThat(dragon)
                    .extracting(AuditRecord::outcome)
                    .containsExactly("loaded", "refused", "filtered", "changed");
            assertThat(dragon.get(1).requestId()).isEqualTo("req_1");
            assertThat(dragon.get(1).time()).isEqualTo(t0.plusSeconds(1));
            assertThat(dragon.get(1).detail())
                    .contains("\"rule\":\"cn-cutoff\"")
                    .contains("\"effect\":\"deny\"");

            assertThat(store.audit(new AuditQuery(null, t0.plusSeconds(2), 100)))
                    .extracting(AuditRecord::requestId)
                    .containsExactly("req_2", "req_3", null);
            assertThat(store.audit(new AuditQuery(null, null, 2))).hasSize(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void theAuditLogIsAppendOnly(String name, Function<Path, TestDatabase> db) throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore store = SqlStore.open(database.location())) {
            store.insertAudit(List.of(decision("req_1", "dragon", Instant.parse("2026-12-01T00:00:00Z"), true)));
            try (Connection c = database.connect()) {
                assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE policy_audit SET outcome = 'x'"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM policy_audit"))
                        .hasMessageContaining("append-only");
            }
            assertThat(store.audit(new AuditQuery(null, null, 10))).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void theTrailWritesInBatchesOffTheCallingThreadAndFlushMeansStored(String name, Function<Path, TestDatabase> db)
            throws Exception {
        try (TestDatabase database = db.apply(dir);
                SqlStore store = SqlStore.open(database.location());
                AuditTrail trail = new AuditTrail(store, 10_000)) {
            Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
            for (int i = 0; i < 1234; i++) {
                trail.record(decision("req_" + i, "dragon", t0.plusMillis(i), i % 2 == 0));
            }
            trail.flush().get(30, TimeUnit.SECONDS);

            assertThat(trail.written()).isEqualTo(1234);
            assertThat(trail.dropped()).isZero();
            assertThat(store.audit(new AuditQuery("dragon", null, 10_000))).hasSize(1234);
        }
    }
}
