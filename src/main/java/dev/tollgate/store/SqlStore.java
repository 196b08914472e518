package dev.tollgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.admit.Budget;
import dev.tollgate.admit.BudgetSetting;
import dev.tollgate.admit.CreditEntry;
import dev.tollgate.admit.CreditStore;
import dev.tollgate.admit.Grant;
import dev.tollgate.admit.TopUp;
import dev.tollgate.guard.Action;
import dev.tollgate.guard.GuardAudit;
import dev.tollgate.guard.Verdict;
import dev.tollgate.meter.UsageHistory;
import dev.tollgate.meter.UsageQuery;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.meter.UsageSink;
import dev.tollgate.meter.UsageSummary;
import dev.tollgate.meter.UsageTotals;
import dev.tollgate.policy.AuditHistory;
import dev.tollgate.policy.AuditQuery;
import dev.tollgate.policy.AuditRecord;
import dev.tollgate.policy.AuditSink;
import dev.tollgate.tenant.KeyStore;
import dev.tollgate.tenant.StoredKey;
import dev.tollgate.tenant.StoredTenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;

/**
 * The store behind a JDBC pool: the embedded SQLite file by default, or PostgreSQL. The SQL here is the same for both
 * ({@code ON CONFLICT DO NOTHING} makes usage inserts idempotent by request id in both); only the migrations differ.
 */
public final class SqlStore
        implements UsageSink, UsageHistory, KeyStore, CreditStore, GuardAudit, AuditSink, AuditHistory, AutoCloseable {
    private static final String INSERT_USAGE_HEAD = "INSERT INTO usage_records (request_id, time_ms, tenant, key_id,"
            + " endpoint, model, provider, upstream_model, deployment, region, prompt_tokens, completion_tokens,"
            + " cached_tokens, reasoning_tokens, estimated, status, http_status, latency_ms, stream, attempts,"
            + " cost_micros, currency) VALUES ";
    private static final String USAGE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String USAGE_CONFLICT = " ON CONFLICT (request_id) DO NOTHING";
    // Rows per INSERT statement: a statement per row measured ~15 µs per record, 50 rows per statement ~5.5 µs
    // (SqlStoreBenchmark); the usage-store thread shares the cores with the event loops.
    private static final int ROWS_PER_INSERT = 50;
    private static final String INSERT_USAGE = insertUsage(1);
    private static final String INSERT_USAGE_MANY = insertUsage(ROWS_PER_INSERT);

    private static final String KEY_COLUMNS =
            "SELECT id, tenant, name, prefix, hash, models, created_at_ms, revoked_at_ms, project FROM api_keys";

    private final HikariDataSource pool;
    private final Vendor vendor;

    private SqlStore(HikariDataSource pool, Vendor vendor) {
        this.pool = pool;
        this.vendor = vendor;
    }

    /**
     * Opens the store named in the configuration: a file path for the embedded SQLite store, or a
     * {@code jdbc:postgresql:} URL for a PostgreSQL database that several instances share. Migrations run first
     * (each database's own folder under {@code db/migration}), so a new version starts on an old database without a
     * manual step.
     */
    public static SqlStore open(String location) throws Exception {
        Vendor vendor = Vendor.of(location);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("tollgate-store");
        switch (vendor) {
            case SQLITE -> {
                hikari.setJdbcUrl(location.startsWith("jdbc:") ? location : "jdbc:sqlite:" + prepareFile(location));
                // SQLite serialises writers anyway; a few connections let admin reads run beside the ledger writer.
                hikari.setMaximumPoolSize(4);
                hikari.setConnectionInitSql("PRAGMA busy_timeout = 10000");
                hikari.addDataSourceProperty("journal_mode", "WAL");
                hikari.addDataSourceProperty("synchronous", "NORMAL");
                hikari.addDataSourceProperty("foreign_keys", "true");
            }
            case POSTGRESQL -> {
                hikari.setJdbcUrl(location);
                hikari.setMaximumPoolSize(8);
                // Fail start-up quickly with the driver's reason when the database is unreachable.
                hikari.setInitializationFailTimeout(10_000);
                hikari.setConnectionTimeout(10_000);
                hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
                hikari.addDataSourceProperty("ApplicationName", "tollgate");
            }
        }
        HikariDataSource pool = new HikariDataSource(hikari);
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration/" + vendor.migrations)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new SqlStore(pool, vendor);
    }

    /** The databases the store speaks; the SQL is shared, the migrations are per database. */
    public enum Vendor {
        SQLITE("sqlite", false),
        POSTGRESQL("postgresql", true);

        private final String migrations;
        private final boolean shared;

        Vendor(String migrations, boolean shared) {
            this.migrations = migrations;
            this.shared = shared;
        }

        /** Whether several gateway instances may use the same store at once. */
        public boolean shared() {
            return shared;
        }

        public static Vendor of(String location) {
            if (location.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            if (!location.startsWith("jdbc:") || location.startsWith("jdbc:sqlite:")) {
                return SQLITE;
            }
            throw new IllegalArgumentException(
                    "unsupported store '" + location.replaceAll("password=[^&]*", "password=…")
                            + "': use a file path (embedded SQLite) or a jdbc:postgresql: URL");
        }
    }

    public Vendor vendor() {
        return vendor;
    }

    /** The settlement journal and ledger (migration V3) in this store. */
    public SqlSettlementJournal settlementJournal() {
        return new SqlSettlementJournal(pool, vendor);
    }

    private static Path prepareFile(String location) throws Exception {
        Path file = Path.of(location).toAbsolutePath();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        return file;
    }

    private static String insertUsage(int rows) {
        StringBuilder sql = new StringBuilder(INSERT_USAGE_HEAD);
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append(USAGE_ROW);
        }
        return sql.append(USAGE_CONFLICT).toString();
    }

    @Override
    public void insertUsage(List<UsageRecord> batch) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                int whole = batch.size() - batch.size() % ROWS_PER_INSERT;
                if (whole > 0) {
                    try (PreparedStatement many = c.prepareStatement(INSERT_USAGE_MANY)) {
                        for (int start = 0; start < whole; start += ROWS_PER_INSERT) {
                            int p = 1;
                            for (UsageRecord r : batch.subList(start, start + ROWS_PER_INSERT)) {
                                p = bindUsage(many, p, r);
                            }
                            many.executeUpdate();
                        }
                    }
                }
                if (whole < batch.size()) {
                    try (PreparedStatement one = c.prepareStatement(INSERT_USAGE)) {
                        for (UsageRecord r : batch.subList(whole, batch.size())) {
                            bindUsage(one, 1, r);
                            one.addBatch();
                        }
                        one.executeBatch();
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Binds one record's 22 columns from parameter {@code i}; returns the next parameter index. */
    private static int bindUsage(PreparedStatement ps, int i, UsageRecord r) throws SQLException {
        ps.setString(i++, r.requestId());
        ps.setLong(i++, r.time().toEpochMilli());
        ps.setString(i++, r.tenant());
        ps.setString(i++, r.keyId());
        ps.setString(i++, r.endpoint());
        ps.setString(i++, r.model());
        ps.setString(i++, r.provider());
        ps.setString(i++, r.upstreamModel());
        ps.setString(i++, r.deployment());
        ps.setString(i++, r.region());
        ps.setLong(i++, r.usage().promptTokens());
        ps.setLong(i++, r.usage().completionTokens());
        ps.setLong(i++, r.usage().cachedTokens());
        ps.setLong(i++, r.usage().reasoningTokens());
        ps.setInt(i++, r.estimated() ? 1 : 0);
        ps.setString(i++, r.status().wire());
        ps.setInt(i++, r.httpStatus());
        ps.setLong(i++, r.latencyMillis());
        ps.setInt(i++, r.stream() ? 1 : 0);
        ps.setInt(i++, r.attempts());
        ps.setLong(i++, r.costMicros());
        ps.setString(i++, r.currency());
        return i;
    }

    @Override
    public UsageSummary summarize(UsageQuery q) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE tenant = ?");
        List<Object> args = new ArrayList<>(List.of(q.tenant()));
        if (q.keyId() != null) {
            where.append(" AND key_id = ?");
            args.add(q.keyId());
        }
        if (q.model() != null) {
            where.append(" AND model = ?");
            args.add(q.model());
        }
        if (q.from() != null) {
            where.append(" AND time_ms >= ?");
            args.add(q.from().toEpochMilli());
        }
        if (q.to() != null) {
            where.append(" AND time_ms < ?");
            args.add(q.to().toEpochMilli());
        }
        String sql = "SELECT model, status, currency, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens),"
                + " SUM(cached_tokens), SUM(reasoning_tokens), SUM(estimated), SUM(cost_micros) FROM usage_records"
                + where + " GROUP BY model, status, currency";
        long requests = 0;
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        long reasoning = 0;
        long estimated = 0;
        Map<String, Long> byStatus = new TreeMap<>();
        Map<String, long[]> byModel = new TreeMap<>();
        Map<String, Long> cost = new TreeMap<>();
        Map<String, Map<String, Long>> costByModel = new TreeMap<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String model = rs.getString(1);
                    String status = rs.getString(2);
                    String currency = rs.getString(3);
                    long count = rs.getLong(4);
                    boolean ok = status.equals("ok");
                    prompt += rs.getLong(5);
                    completion += rs.getLong(6);
                    cached += rs.getLong(7);
                    reasoning += rs.getLong(8);
                    estimated += rs.getLong(9);
                    byStatus.merge(status, count, Long::sum);
                    long[] m = byModel.computeIfAbsent(model, k -> new long[3]);
                    if (ok) {
                        requests += count;
                        m[0] += count;
                    }
                    m[1] += rs.getLong(5);
                    m[2] += rs.getLong(6);
                    if (currency != null) {
                        long micros = rs.getLong(10);
                        cost.merge(currency, micros, Long::sum);
                        costByModel.computeIfAbsent(model, k -> new TreeMap<>()).merge(currency, micros, Long::sum);
                    }
                }
            }
        }
        Map<String, UsageSummary.ModelTotals> models = new LinkedHashMap<>();
        byModel.forEach((k, v) ->
                models.put(k, new UsageSummary.ModelTotals(v[0], v[1], v[2], costByModel.getOrDefault(k, Map.of()))));
        return new UsageSummary(
                q.tenant(), requests, prompt, completion, cached, reasoning, estimated, byStatus, models, cost);
    }

    @Override
    public List<UsageTotals> totals(Instant from, Instant to) throws SQLException {
        String sql = "SELECT tenant, model, SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN status = 'ok' THEN 0 ELSE 1 END), SUM(prompt_tokens), SUM(completion_tokens),"
                + " SUM(cached_tokens), SUM(reasoning_tokens) FROM usage_records WHERE time_ms >= ? AND time_ms < ?"
                + " GROUP BY tenant, model ORDER BY tenant, model";
        List<UsageTotals> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from.toEpochMilli());
            ps.setLong(2, to.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new UsageTotals(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getLong(7),
                            rs.getLong(8)));
                }
            }
        }
        return out;
    }

    @Override
    public void append(List<GuardAudit.Entry> entries) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO guard_audit (time_ms, account, org,"
                                + " from_verdict, to_verdict, action, score, cause, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (GuardAudit.Entry e : entries) {
                ps.setLong(1, e.time().toEpochMilli());
                ps.setString(2, e.account());
                ps.setString(3, e.org());
                ps.setString(4, e.from().wire());
                ps.setString(5, e.to().wire());
                ps.setString(6, e.action() == null ? null : e.action().wire());
                ps.setDouble(7, e.score());
                ps.setString(8, e.cause());
                // Reasons are feature=value tokens: joined with newlines they need no escaping.
                ps.setString(9, String.join("\n", e.reasons()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public List<GuardAudit.Entry> history(String account, int limit) throws SQLException {
        return auditQuery(
                "SELECT time_ms, account, org, from_verdict, to_verdict, action, score, cause, reasons FROM guard_audit"
                        + " WHERE account = ? ORDER BY id DESC LIMIT ?",
                account,
                (long) limit);
    }

    @Override
    public List<GuardAudit.Entry> overrides() throws SQLException {
        return auditQuery("SELECT time_ms, account, org, from_verdict, to_verdict, action, score, cause, reasons FROM"
                + " guard_audit g WHERE cause LIKE 'operator%' AND id = (SELECT MAX(id) FROM guard_audit h"
                + " WHERE h.account = g.account AND h.cause LIKE 'operator%') ORDER BY id");
    }

    private List<GuardAudit.Entry> auditQuery(String sql, Object... args) throws SQLException {
        List<GuardAudit.Entry> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, Arrays.asList(args));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String reasons = rs.getString(9);
                    out.add(new GuardAudit.Entry(
                            Instant.ofEpochMilli(rs.getLong(1)),
                            rs.getString(2),
                            rs.getString(3),
                            Verdict.parse(rs.getString(4)),
                            Verdict.parse(rs.getString(5)),
                            rs.getString(6) == null ? null : Action.parse(rs.getString(6)),
                            rs.getDouble(7),
                            rs.getString(8),
                            reasons.isEmpty() ? List.of() : Arrays.asList(reasons.split("\n"))));
                }
            }
        }
        return out;
    }

    /** Every request id in the ledger, oldest first; for audits and durability checks. */
    public List<String> requestIds(String tenant) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT request_id FROM usage_records WHERE tenant = ? ORDER BY time_ms")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    @Override
    public void insertTenant(StoredTenant tenant) throws SQLException {
        update(
                "INSERT INTO tenants (name, country, created_at_ms) VALUES (?, ?, ?)",
                tenant.name(),
                tenant.country(),
                tenant.createdAt().toEpochMilli());
    }

    @Override
    public List<StoredTenant> tenants() throws SQLException {
        List<StoredTenant> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT name, country, created_at_ms FROM tenants ORDER BY name");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredTenant(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
            }
        }
        return out;
    }

    @Override
    public void insertKey(StoredKey k) throws SQLException {
        update(
                "INSERT INTO api_keys (id, tenant, name, prefix, hash, models, created_at_ms, project)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                k.id(),
                k.tenant(),
                k.name(),
                k.prefix(),
                k.hash(),
                String.join(",", k.models()),
                k.createdAt().toEpochMilli(),
                k.project());
    }

    @Override
    public List<StoredKey> keys(String tenant) throws SQLException {
        String sql = KEY_COLUMNS + (tenant == null ? "" : " WHERE tenant = ?") + " ORDER BY created_at_ms, id";
        List<StoredKey> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            if (tenant != null) {
                ps.setString(1, tenant);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(key(rs));
                }
            }
        }
        return out;
    }

    @Override
    public Optional<StoredKey> revokeKey(String id, Instant at) throws SQLException {
        update("UPDATE api_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL", at.toEpochMilli(), id);
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(KEY_COLUMNS + " WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(key(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public String changeStamp() throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT (SELECT COUNT(*) FROM tenants),"
                        + " (SELECT COUNT(*) FROM api_keys), (SELECT COUNT(revoked_at_ms) FROM api_keys)");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3);
        }
    }

    private static StoredKey key(ResultSet rs) throws SQLException {
        String models = rs.getString(6);
        long revoked = rs.getLong(8);
        boolean wasRevoked = !rs.wasNull();
        return new StoredKey(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                models == null || models.isEmpty() ? List.of() : Arrays.asList(models.split(",")),
                Instant.ofEpochMilli(rs.getLong(7)),
                wasRevoked ? Instant.ofEpochMilli(revoked) : null,
                rs.getString(9));
    }

    private void update(String sql, Object... args) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, Arrays.asList(args));
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else if (a instanceof Long l) {
                ps.setLong(i + 1, l);
            } else {
                ps.setString(i + 1, a.toString());
            }
        }
    }

    // ---- credits (migration V4) ----

    @Override
    public void insertGrant(Grant g) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO credit_grants (id, tenant, currency, amount,"
                        + " models, priority, expires_at_ms, created_at_ms, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, g.id());
            ps.setString(2, g.tenant());
            ps.setString(3, g.currency());
            ps.setLong(4, g.amount());
            ps.setString(5, String.join(",", new java.util.TreeSet<>(g.models())));
            ps.setString(6, g.priority().name().toLowerCase(java.util.Locale.ROOT));
            if (g.expiresAt() == null) {
                ps.setNull(7, Types.BIGINT);
            } else {
                ps.setLong(7, g.expiresAt().toEpochMilli());
            }
            ps.setLong(8, g.createdAt().toEpochMilli());
            ps.setString(9, g.reason());
            ps.executeUpdate();
        }
    }

    @Override
    public void insertTopUp(TopUp t) throws SQLException {
        update(
                "INSERT INTO balance_topups (id, tenant, currency, amount, created_at_ms, reference)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                t.id(),
                t.tenant(),
                t.currency(),
                t.micros(),
                t.at().toEpochMilli(),
                t.reference());
    }

    @Override
    public void insertCreditEntries(List<CreditEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO credit_entries (request_id, source, tenant, currency, amount, time_ms)"
                            + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (request_id, source) DO NOTHING")) {
                for (CreditEntry e : entries) {
                    bind(
                            ps,
                            Arrays.asList(
                                    e.requestId(),
                                    e.source(),
                                    e.tenant(),
                                    e.currency(),
                                    e.amount(),
                                    e.time().toEpochMilli()));
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    @Override
    public List<Grant> grants() throws SQLException {
        List<Grant> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id, tenant, currency, amount, models, priority,"
                        + " expires_at_ms, created_at_ms, reason FROM credit_grants ORDER BY created_at_ms, id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String models = rs.getString(5);
                long expires = rs.getLong(7);
                boolean expiring = !rs.wasNull();
                out.add(new Grant(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        models.isEmpty() ? java.util.Set.of() : java.util.Set.of(models.split(",")),
                        Grant.Priority.valueOf(rs.getString(6).toUpperCase(java.util.Locale.ROOT)),
                        expiring ? Instant.ofEpochMilli(expires) : null,
                        Instant.ofEpochMilli(rs.getLong(8)),
                        rs.getString(9)));
            }
        }
        return out;
    }

    @Override
    public List<TopUp> topUps() throws SQLException {
        List<TopUp> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id, tenant, currency, amount, created_at_ms,"
                        + " reference FROM balance_topups ORDER BY created_at_ms, id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TopUp(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        Instant.ofEpochMilli(rs.getLong(5)),
                        rs.getString(6)));
            }
        }
        return out;
    }

    @Override
    public List<CreditEntry> creditEntries() throws SQLException {
        List<CreditEntry> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT request_id, tenant, source, currency, amount,"
                        + " time_ms FROM credit_entries ORDER BY time_ms, request_id, source");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new CreditEntry(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getLong(5),
                        Instant.ofEpochMilli(rs.getLong(6))));
            }
        }
        return out;
    }

    @Override
    public java.util.Set<String> settledRequests(java.util.Collection<String> requestIds) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        List<String> ids = new ArrayList<>(requestIds);
        try (Connection c = pool.getConnection()) {
            for (int from = 0; from < ids.size(); from += 500) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
                String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT DISTINCT request_id FROM credit_entries WHERE request_id IN (" + marks + ")")) {
                    bind(ps, new ArrayList<>(chunk));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getString(1));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void insertBudgetSetting(BudgetSetting b) throws SQLException {
        StringBuilder text = new StringBuilder();
        for (Budget budget : b.budgets()) {
            if (!text.isEmpty()) {
                text.append(';');
            }
            text.append(budget.period().name().toLowerCase(java.util.Locale.ROOT))
                    .append(' ')
                    .append(budget.limitMicros())
                    .append(' ')
                    .append(budget.currency())
                    .append(' ')
                    .append(budget.hard() ? "hard" : "soft");
        }
        update(
                "INSERT INTO budget_settings (tenant, scope, name, budgets, set_at_ms) VALUES (?, ?, ?, ?, ?)",
                b.tenant(),
                b.scope(),
                b.name(),
                text.toString(),
                b.at().toEpochMilli());
    }

    @Override
    public List<BudgetSetting> budgetSettings() throws SQLException {
        List<BudgetSetting> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT tenant, scope, name, budgets, set_at_ms FROM budget_settings ORDER BY seq");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                List<Budget> budgets = new ArrayList<>();
                String text = rs.getString(4);
                if (!text.isEmpty()) {
                    for (String one : text.split(";")) {
                        String[] f = one.split(" ");
                        budgets.add(new Budget(
                                Budget.Period.valueOf(f[0].toUpperCase(java.util.Locale.ROOT)),
                                Long.parseLong(f[1]),
                                f[2],
                                f[3].equals("hard")));
                    }
                }
                out.add(new BudgetSetting(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        budgets,
                        Instant.ofEpochMilli(rs.getLong(5))));
            }
        }
        return out;
    }

    @Override
    public void insertAudit(List<AuditRecord> batch) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO policy_audit (time_ms, kind, request_id,"
                    + " tenant, model, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (AuditRecord r : batch) {
                    ps.setLong(1, r.time().toEpochMilli());
                    ps.setString(2, r.kind().wire());
                    ps.setString(3, r.requestId());
                    ps.setString(4, r.tenant());
                    ps.setString(5, r.model());
                    ps.setString(6, r.outcome());
                    ps.setString(7, r.detail());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    @Override
    public List<AuditRecord> audit(AuditQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder(
                "SELECT time_ms, kind, request_id, tenant, model, outcome, detail FROM policy_audit WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (q.tenant() != null) {
            // A policy change concerns every tenant: it belongs in each tenant's trail.
            sql.append(" AND (tenant = ? OR kind = 'policy_change')");
            args.add(q.tenant());
        }
        if (q.since() != null) {
            sql.append(" AND time_ms >= ?");
            args.add(q.since().toEpochMilli());
        }
        sql.append(" ORDER BY time_ms, id LIMIT ").append(Math.max(1, q.limit()));
        List<AuditRecord> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditRecord(
                            Instant.ofEpochMilli(rs.getLong(1)),
                            AuditRecord.Kind.ofWire(rs.getString(2)),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7)));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
    }
}
