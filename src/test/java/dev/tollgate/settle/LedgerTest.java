package dev.tollgate.settle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Revenue R = new Revenue(
            "req_1", Instant.parse("2026-03-01T00:00:00Z"), "t", "m", "p/m", "p", "eu", Money.of("USD", "5"));
    static final Account A = new Account("x:a");
    static final Account B = new Account("x:b");

    @Test
    void anUnbalancedTransactionCannotBeBuilt() {
        Ledger ledger = new Ledger(USD);
        assertThatThrownBy(() -> ledger.append(
                        R.time(),
                        R,
                        new Basis.Charge(),
                        List.of(Entry.debit(A, Money.of("USD", "5")), Entry.credit(B, Money.of("USD", "4.999999")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unbalanced");
        assertThatThrownBy(() -> ledger.append(R.time(), R, new Basis.Charge(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Entry.debit(A, Money.of("USD", "-1"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ledger.transactions()).isEmpty();
    }

    @Test
    void refusesAnotherCurrency() {
        Ledger ledger = new Ledger(USD);
        assertThatThrownBy(() -> ledger.append(
                        R.time(),
                        R,
                        new Basis.Charge(),
                        List.of(Entry.debit(A, Money.of("EUR", "5")), Entry.credit(B, Money.of("EUR", "5")))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSecondChargeForTheSameRequestPostsNothing() {
        Ledger ledger = new Ledger(USD);
        List<Entry> entries = List.of(Entry.debit(A, Money.of("USD", "5")), Entry.credit(B, Money.of("USD", "5")));

        assertThat(ledger.append(R.time(), R, new Basis.Charge(), entries)).isPresent();
        assertThat(ledger.append(R.time(), R, new Basis.Charge(), entries)).isEmpty();

        assertThat(ledger.transactions()).hasSize(1);
        assertThat(ledger.balance(A)).isEqualTo(Money.of("USD", "5"));
        assertThat(ledger.balance(B)).isEqualTo(Money.of("USD", "-5"));
        assertThat(ledger.find(new Transaction.Key("req_1", "", "charge"))).isPresent();
    }
}
