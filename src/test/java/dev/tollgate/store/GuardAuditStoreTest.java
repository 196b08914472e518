package dev.tollgate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.guard.Action;
import dev.tollgate.guard.GuardAudit;
import dev.tollgate.guard.Verdict;
import dev.tollgate.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The guard's audit trail (migration V6) on the embedded SQLite file and on PostgreSQL. */
class GuardAuditStoreTest {
    @TempDir
    static Path dir;

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> databases() {
        return SqlStoreTest.databases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void keepsEveryVerdictChangeWithItsActionNewestFirstAndRefusesEdits(String name, Function<Path, TestDatabase> db)
            throws Exception {
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        try (TestDatabase database = db.apply(dir)) {
            try (SqlStore store = SqlStore.open(database.location())) {
                store.append(List.of(
                        new GuardAudit.Entry(
                                t,
                                "cfg_1",
                                "acme",
                                Verdict.CLEAR,
                                Verdict.WATCH,
                                Action.FLAG,
                                0.4,
                                "detector",
                                List.of("cot_phrasing=1.0", "single_turn=0.9")),
                        new GuardAudit.Entry(
                                t.plusSeconds(5),
                                "cfg_1",
                                "acme",
                                Verdict.WATCH,
                                Verdict.SUSPECT,
                                Action.BLOCK,
                                0.6,
                                "detector",
                                List.of("cot_phrasing=1.0")),
                        new GuardAudit.Entry(
                                t.plusSeconds(9),
                                "cfg_2",
                                null,
                                Verdict.SUSPECT,
                                Verdict.CLEAR,
                                null,
                                0,
                                "operator: reviewed",
                                List.of())));
                List<GuardAudit.Entry> history = store.history("cfg_1", 10);
                assertThat(history).extracting(GuardAudit.Entry::to).containsExactly(Verdict.SUSPECT, Verdict.WATCH);
                assertThat(history.get(0).action()).isEqualTo(Action.BLOCK);
                assertThat(history.get(1).reasons()).containsExactly("cot_phrasing=1.0", "single_turn=0.9");
                assertThat(history.get(1).time()).isEqualTo(t);
                GuardAudit.Entry lifted = store.history("cfg_2", 10).getFirst();
                assertThat(lifted.action()).isNull();
                assertThat(lifted.org()).isNull();
                assertThat(lifted.reasons()).isEmpty();
                assertThat(store.history("cfg_1", 1)).hasSize(1);
                store.append(List.of(
                        new GuardAudit.Entry(
                                t.plusSeconds(20),
                                "cfg_1",
                                "acme",
                                Verdict.SUSPECT,
                                Verdict.CONFIRMED,
                                Action.BLOCK,
                                0.6,
                                "operator: reviewed",
                                List.of()),
                        new GuardAudit.Entry(
                                t.plusSeconds(30),
                                "cfg_1",
                                "acme",
                                Verdict.CONFIRMED,
                                Verdict.CONFIRMED,
                                Action.BLOCK,
                                0.9,
                                "detector",
                                List.of())));
                assertThat(store.overrides())
                        .extracting(GuardAudit.Entry::account, GuardAudit.Entry::cause)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("cfg_2", "operator: reviewed"),
                                org.assertj.core.groups.Tuple.tuple("cfg_1", "operator: reviewed"));
            }
            try (Connection c = database.connect()) {
                assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE guard_audit SET score = 0"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM guard_audit"))
                        .hasMessageContaining("append-only");
            }
        }
    }
}
