package dev.tollgate.store;

import dev.tollgate.settle.Account;
import dev.tollgate.settle.Basis;
import dev.tollgate.settle.Entry;
import dev.tollgate.settle.Money;
import dev.tollgate.settle.Revenue;
import dev.tollgate.settle.SettlementJournal;
import dev.tollgate.settle.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The settlement journal in the SQL store (migration V3): {@code settlement_inputs} (the events, in settling order),
 * {@code ledger_transactions} and {@code ledger_entries}, all append-only.
 *
 * <p><b>One settler.</b> On PostgreSQL a session first takes the transaction-scoped advisory lock {@link #LOCK_KEY}
 * ({@code pg_try_advisory_xact_lock}); an instance that does not get it does nothing this round, and the lock goes
 * with the transaction, so a crashed settler never leaves it held. Behind the lock, two constraints make a double
 * charge impossible even if two instances settled at once: the unique index on posted request ids and the primary
 * key on the event sequence number (the second writer's transaction fails and rolls back; its worker rebuilds from the
 * journal and carries on). The embedded SQLite store belongs to one process; SQLite serialises writers, and the same
 * constraints apply.
 */
public final class SqlSettlementJournal implements SettlementJournal {
    /** The advisory lock key of the settler: "tollgate" read as a big-endian long, minus nothing clever. */
    public static final long LOCK_KEY = 7308594653211403265L;

    private static final String INPUT_COLUMNS = "SELECT seq, kind, request_id, time_ms, tenant, model, deployment,"
            + " provider, region, amount_micros, currency FROM settlement_inputs";

    private final DataSource pool;
    private final SqlStore.Vendor vendor;

    SqlSettlementJournal(DataSource pool, SqlStore.Vendor vendor) {
        this.pool = pool;
        this.vendor = vendor;
    }

    @Override
    public <T> T inSession(Work<T> work) throws Exception {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(new SqlSession(c));
                c.commit();
                return result;
            } catch (Exception | Error e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    @Override
    public List<Input> inputsAfter(long seq) throws Exception {
        try (Connection c = pool.getConnection()) {
            return inputsAfter(c, seq);
        }
    }

    @Override
    public Money movement(Account account, Currency currency, Instant from, Instant to) throws SQLException {
        String sql = "SELECT COALESCE(SUM(CASE e.side WHEN 'debit' THEN e.amount_micros ELSE -e.amount_micros END), 0)"
                + " FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.tx_id"
                + " WHERE e.account = ? AND t.currency = ? AND t.time_ms >= ? AND t.time_ms < ?";
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, account.name());
            ps.setString(2, currency.getCurrencyCode());
            ps.setLong(3, from.toEpochMilli());
            ps.setLong(4, to.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Money.ofMicros(currency, rs.getLong(1));
            }
        }
    }

    @Override
    public Money capConsumed(String agreementId, Currency currency, Instant to) throws SQLException {
        // The same sum as the settlement_cap_consumption view, bounded in time for a statement's period.
        String sql = "SELECT COALESCE(SUM(CASE e.side WHEN 'debit' THEN e.amount_micros ELSE -e.amount_micros END), 0)"
                + " FROM ledger_transactions t JOIN ledger_entries e ON e.tx_id = t.id"
                + " WHERE t.agreement_id = ? AND t.currency = ? AND t.time_ms < ? AND e.account LIKE 'party:%:receivable'";
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, agreementId);
            ps.setString(2, currency.getCurrencyCode());
            ps.setLong(3, to.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Money.ofMicros(currency, rs.getLong(1));
            }
        }
    }

    private static List<Input> inputsAfter(Connection c, long seq) throws SQLException {
        List<Input> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(INPUT_COLUMNS + " WHERE seq > ? ORDER BY seq")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Currency currency = Currency.getInstance(rs.getString(11));
                    Revenue r = new Revenue(
                            rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4)),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9),
                            Money.ofMicros(currency, rs.getLong(10)));
                    out.add(new Input(
                            rs.getLong(1), Input.Kind.valueOf(rs.getString(2).toUpperCase(Locale.ROOT)), r));
                }
            }
        }
        return out;
    }

    private final class SqlSession implements Session {
        private final Connection c;

        SqlSession(Connection c) {
            this.c = c;
        }

        @Override
        public boolean lead() throws SQLException {
            if (vendor != SqlStore.Vendor.POSTGRESQL) {
                return true;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                ps.setLong(1, LOCK_KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        }

        @Override
        public List<Input> inputsAfter(long seq) throws SQLException {
            return SqlSettlementJournal.inputsAfter(c, seq);
        }

        @Override
        public List<Revenue> unsettled(Currency currency, int limit) throws SQLException {
            // Cost 0 (failed requests, unpriced models) is nothing to charge or share.
            String sql = "SELECT u.request_id, u.time_ms, u.tenant, u.model, COALESCE(u.deployment, ''),"
                    + " COALESCE(u.provider, ''), COALESCE(u.region, ''), u.cost_micros FROM usage_records u"
                    + " WHERE u.currency = ? AND u.cost_micros > 0 AND NOT EXISTS (SELECT 1 FROM settlement_inputs s"
                    + " WHERE s.request_id = u.request_id AND s.kind = 'post') ORDER BY u.time_ms, u.request_id LIMIT ?";
            List<Revenue> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, currency.getCurrencyCode());
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Revenue(
                                rs.getString(1),
                                Instant.ofEpochMilli(rs.getLong(2)),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                Money.ofMicros(currency, rs.getLong(8))));
                    }
                }
            }
            return out;
        }

        @Override
        public Tally tally() throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT COUNT(*) FROM ledger_transactions),"
                            + " (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger_entries WHERE side = 'debit')");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Tally(rs.getLong(1), rs.getLong(2));
            }
        }

        @Override
        public void append(List<Settled> settled) throws SQLException {
            try (PreparedStatement in = c.prepareStatement("INSERT INTO settlement_inputs (seq, kind, request_id,"
                            + " time_ms, tenant, model, deployment, provider, region, amount_micros, currency)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                    PreparedStatement tx = c.prepareStatement("INSERT INTO ledger_transactions (id, posted,"
                            + " input_seq, time_ms, basis, agreement_id, adjusts, base_delta_micros, request_id,"
                            + " tenant, model, region, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                    PreparedStatement entry = c.prepareStatement("INSERT INTO ledger_entries (tx_id, line, account,"
                            + " side, amount_micros) VALUES (?, ?, ?, ?, ?)")) {
                for (Settled s : settled) {
                    Input i = s.input();
                    Revenue r = i.revenue();
                    in.setLong(1, i.seq());
                    in.setString(2, i.kind().name().toLowerCase(Locale.ROOT));
                    in.setString(3, r.requestId());
                    in.setLong(4, r.time().toEpochMilli());
                    in.setString(5, r.tenant());
                    in.setString(6, r.model());
                    in.setString(7, r.deployment());
                    in.setString(8, r.provider());
                    in.setString(9, r.region());
                    in.setLong(10, r.amount().micros());
                    in.setString(11, r.amount().currency().getCurrencyCode());
                    // One event at a time, so the unique index names the offending request at once.
                    in.executeUpdate();
                    for (Transaction t : s.transactions()) {
                        bindTransaction(tx, t, i.seq());
                        tx.addBatch();
                        int line = 0;
                        for (Entry e : t.entries()) {
                            entry.setString(1, t.id());
                            entry.setInt(2, ++line);
                            entry.setString(3, e.account().name());
                            entry.setString(4, e.side().name().toLowerCase(Locale.ROOT));
                            entry.setLong(5, e.amount().micros());
                            entry.addBatch();
                        }
                    }
                }
                tx.executeBatch();
                entry.executeBatch();
            }
        }
    }

    private static void bindTransaction(PreparedStatement ps, Transaction t, long inputSeq) throws SQLException {
        ps.setString(1, t.id());
        ps.setLong(2, Long.parseLong(t.id().substring(t.id().indexOf('-') + 1)));
        ps.setLong(3, inputSeq);
        ps.setLong(4, t.time().toEpochMilli());
        String basis;
        String agreement = null;
        String adjusts = null;
        long baseDelta = 0;
        switch (t.basis()) {
            case Basis.Charge ch -> basis = "charge";
            case Basis.Share sh -> {
                basis = "share";
                agreement = sh.agreement().id();
            }
            case Basis.Adjustment adj -> {
                basis = "adjustment";
                agreement = adj.agreement().id();
                adjusts = adj.adjusts();
                baseDelta = adj.baseDelta().micros();
            }
            case Basis.Correction co -> {
                basis = "correction";
                adjusts = co.adjusts();
            }
        }
        ps.setString(5, basis);
        ps.setString(6, agreement);
        ps.setString(7, adjusts);
        ps.setLong(8, baseDelta);
        ps.setString(9, t.source().requestId());
        ps.setString(10, t.source().tenant());
        ps.setString(11, t.source().model());
        ps.setString(12, t.source().region());
        ps.setString(13, t.entries().get(0).amount().currency().getCurrencyCode());
    }
}
