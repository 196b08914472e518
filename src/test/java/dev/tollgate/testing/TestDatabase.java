package dev.tollgate.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A database for a store test: a fresh SQLite file, or a fresh schema in the PostgreSQL server named by
 * {@code TOLLGATE_TEST_POSTGRES} (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), dropped at
 * close. Without a reachable PostgreSQL the PostgreSQL tests are skipped with the reason, unless
 * {@code TOLLGATE_REQUIRE_POSTGRES=1} (set by CI), where they fail instead: CI must never pass by skipping them.
 */
public sealed interface TestDatabase extends AutoCloseable {
    String DEFAULT_POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    /** What the configuration's {@code store:} says. */
    String location();

    /** A plain JDBC connection to the same database, bypassing the store (to try what the store would refuse). */
    Connection connect() throws SQLException;

    @Override
    void close() throws SQLException;

    static TestDatabase sqlite(Path dir) {
        return new Sqlite(dir.resolve("tollgate-" + suffix() + ".db").toAbsolutePath());
    }

    static TestDatabase postgres() {
        String base = System.getenv().getOrDefault("TOLLGATE_TEST_POSTGRES", DEFAULT_POSTGRES);
        String schema = "tg_test_" + suffix();
        try (Connection c = DriverManager.getConnection(base)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("1".equals(System.getenv("TOLLGATE_REQUIRE_POSTGRES"))) {
                throw new IllegalStateException(
                        "PostgreSQL is required (TOLLGATE_REQUIRE_POSTGRES=1) but "
                                + base.replaceAll("password=[^&]*", "password=…")
                                + " is not usable: " + e.getMessage(),
                        e);
            }
            Assumptions.abort("PostgreSQL not reachable at " + base.replaceAll("password=[^&]*", "password=…") + " ("
                    + e.getMessage() + "); set TOLLGATE_TEST_POSTGRES to run the PostgreSQL store tests");
        }
        return new Postgres(base, schema);
    }

    private static String suffix() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    record Sqlite(Path file) implements TestDatabase {
        @Override
        public String location() {
            return file.toString();
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:sqlite:" + file);
        }

        @Override
        public void close() {}

        @Override
        public String toString() {
            return "SQLite";
        }
    }

    record Postgres(String base, String schema) implements TestDatabase {
        @Override
        public String location() {
            return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(location());
        }

        @Override
        public void close() throws SQLException {
            try (Connection c = DriverManager.getConnection(base)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }

        @Override
        public String toString() {
            return "PostgreSQL";
        }
    }
}
