package dev.tollgate.settle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettlementTest {
    static final Party OWNER = new Party("owner", Party.Role.MODEL_OWNER);
    static final Party CLOUD = new Party("cloud", Party.Role.CLOUD);
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    static Agreement capped(String cap) {
        return Agreement.of(
                "share",
                OWNER,
                CLOUD,
                RevenueBase.models("m"),
                new BigDecimal("0.20"),
                Optional.of(Money.of("USD", cap)),
                T0,
                T0.plusSeconds(3600));
    }

    static Revenue revenue(String id, long second, String amount) {
        return new Revenue(id, T0.plusSeconds(second), "t", "m", "p/m", "p", "eu", Money.of("USD", amount));
    }

    static Settlement settlement(Agreement... agreements) {
        return new Settlement(new Ledger(Currency.getInstance("USD")), List.of(agreements));
    }

    static Money shareOf(Settlement s, String requestId) {
        Money sum = Money.of("USD", "0");
        for (Transaction tx : s.ledger().transactions()) {
            if (tx.sourceRequestId().equals(requestId)
                    && tx.basis().underAgreement().isPresent()) {
                sum = sum.plus(tx.net(Account.receivable(CLOUD)));
            }
        }
        return sum;
    }

    @Test
    void theRequestThatCrossesTheCapIsSplitExactlyAtTheCap() {
        Settlement s = settlement(capped("10"));
        s.post(revenue("a", 1, "30")); // 6
        s.post(revenue("b", 2, "30")); // 6, but only 4 left
        s.post(revenue("c", 3, "30")); // nothing left

        assertThat(shareOf(s, "a")).isEqualTo(Money.of("USD", "6"));
        assertThat(shareOf(s, "b")).isEqualTo(Money.of("USD", "4"));
        assertThat(shareOf(s, "c")).isEqualTo(Money.of("USD", "0"));
        assertThat(s.ledger().balance(Account.receivable(CLOUD))).isEqualTo(Money.of("USD", "10"));
        assertThat(s.ledger().balance(Account.payable(OWNER))).isEqualTo(Money.of("USD", "-10"));
    }

    @Test
    void revenueAtTheEndInstantOfTheTermIsNotShared() {
        Settlement s = settlement(capped("1000"));
        assertThat(s.post(revenue("last", 3599, "10"))).hasSize(2);
        assertThat(s.post(new Revenue(
                        "end", T0.plusSeconds(3600).minusNanos(1), "t", "m", "p/m", "p", "eu", Money.of("USD", "10"))))
                .hasSize(2);
        assertThat(s.post(revenue("after", 3600, "10"))).hasSize(1); // the charge only
        assertThat(shareOf(s, "after")).isEqualTo(Money.of("USD", "0"));
    }

    @Test
    void aReplayedEventPostsNothingAndAChangedOneIsRefused() {
        Settlement s = settlement(capped("1000"));
        Revenue r = revenue("a", 1, "30");
        assertThat(s.post(r)).hasSize(2);
        assertThat(s.post(r)).isEmpty();
        assertThat(s.ledger().transactions()).hasSize(2);
        assertThatThrownBy(() -> s.post(revenue("a", 1, "31")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already posted");
    }

    @Test
    void aLateEventTakesItsPlaceUnderTheCapAndTheLaterShareIsAdjusted() {
        Settlement s = settlement(capped("10"));
        s.post(revenue("b", 2, "30")); // 6 while it looks like the first
        s.post(revenue("c", 3, "30")); // 4: the cap is reached
        List<Transaction> late = s.post(revenue("a", 1, "15")); // earlier than both: 3

        // In order: a = 3, b = 6, c = 1. The late event gets its share; c gives back 3; b is untouched.
        assertThat(shareOf(s, "a")).isEqualTo(Money.of("USD", "3"));
        assertThat(shareOf(s, "b")).isEqualTo(Money.of("USD", "6"));
        assertThat(shareOf(s, "c")).isEqualTo(Money.of("USD", "1"));
        assertThat(late)
                .extracting(tx -> tx.basis().getClass().getSimpleName())
                .containsExactly("Charge", "Share", "Adjustment");
        Transaction adjustment = late.get(2);
        String originalOfC = s.ledger()
                .find(new Transaction.Key("c", "share", "share"))
                .orElseThrow()
                .id();
        assertThat(adjustment.basis()).isEqualTo(new Basis.Adjustment(capped("10"), originalOfC, Money.of("USD", "0")));
        assertThat(adjustment.time()).isEqualTo(T0.plusSeconds(3));
        assertThat(adjustment.net(Account.payable(OWNER))).isEqualTo(Money.of("USD", "3"));
        assertThat(s.ledger().balance(Account.receivable(CLOUD))).isEqualTo(Money.of("USD", "10"));
    }

    @Test
    void revenueOutsideTheBaseOnlyChargesTheTenant() {
        Settlement s = settlement(capped("10"));
        List<Transaction> posted = s.post(new Revenue("x", T0, "t", "other", "p/o", "p", "eu", Money.of("USD", "3")));
        assertThat(posted).hasSize(1);
        assertThat(posted.get(0).entries())
                .containsExactly(
                        Entry.debit(Account.tenantReceivable("t"), Money.of("USD", "3")),
                        Entry.credit(Account.revenue("t"), Money.of("USD", "3")));
    }

    @Test
    void aCorrectedRecordIsAdjustedNeverEdited() {
        Settlement s = settlement(capped("10"));
        s.post(revenue("a", 1, "30")); // 6
        s.post(revenue("b", 2, "30")); // 4, capped
        List<Transaction> before = s.ledger().transactions();

        // "a" really earned 10, in another region: its share drops to 2, so "b" now gets its full 6.
        List<Transaction> posted =
                s.correct(new Revenue("a", T0.plusSeconds(1), "t", "m", "p/m", "p", "us", Money.of("USD", "10")));

        assertThat(s.ledger().transactions()).startsWith(before.toArray(Transaction[]::new));
        assertThat(posted)
                .extracting(tx -> tx.basis().getClass().getSimpleName())
                .containsExactly("Correction", "Adjustment", "Adjustment", "Adjustment");
        assertThat(shareOf(s, "a")).isEqualTo(Money.of("USD", "2"));
        assertThat(shareOf(s, "b")).isEqualTo(Money.of("USD", "6"));
        assertThat(s.ledger().balance(Account.tenantReceivable("t"))).isEqualTo(Money.of("USD", "40"));
        assertThat(s.correct(new Revenue("a", T0.plusSeconds(1), "t", "m", "p/m", "p", "us", Money.of("USD", "10"))))
                .isEmpty();
        assertThatThrownBy(() -> s.correct(revenue("never", 1, "1"))).isInstanceOf(IllegalArgumentException.class);

        Statement st = Statement.of(s.ledger(), CLOUD, YearMonth.of(2026, 3));
        assertThat(st.agreements().get(0).lines())
                .containsExactly(
                        new Statement.Line("m", "eu", Money.of("USD", "30"), Money.of("USD", "6")),
                        new Statement.Line("m", "us", Money.of("USD", "10"), Money.of("USD", "2")));
    }

    @Test
    void startsOnlyOnAnEmptyLedgerBecauseItsStateIsNotRebuiltFromOne() {
        Settlement s = settlement(capped("10"));
        s.post(revenue("a", 1, "30"));
        assertThatThrownBy(() -> new Settlement(s.ledger(), List.of(capped("10"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty ledger");
    }
}
