package dev.tollgate.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InvoiceTest {
    private static final Currency USD = Currency.getInstance("USD");

    @Test
    void anInvoiceTotalIsTheTenantReceivableMovementOfTheMonthAndCorrectionsCountOnce() {
        for (long seed = 1; seed <= 100; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Settlement s = new Settlement(new Ledger(USD), List.of());
            Instant start = Instant.parse("2026-03-01T00:00:00Z");
            int n = 5 + random.nextInt(50);
            for (int i = 0; i < n; i++) {
                s.post(new Revenue(
                        "r" + i,
                        start.plusSeconds(random.nextLong(90L * 86_400)),
                        random.nextBoolean() ? "acme" : "globex",
                        "m" + random.nextInt(3),
                        "p/m",
                        "p",
                        random.nextBoolean() ? "eu" : "us",
                        Money.ofMicros(USD, random.nextLong(5_000_000))));
            }
            Revenue first = s.ledger().transactions().get(0).source();
            s.correct(new Revenue(
                    first.requestId(),
                    first.time(),
                    first.tenant(),
                    first.model(),
                    first.deployment(),
                    first.provider(),
                    first.region(),
                    first.amount().plus(Money.of("USD", "1"))));
            for (String tenant : List.of("acme", "globex")) {
                for (YearMonth month : List.of(YearMonth.of(2026, 3), YearMonth.of(2026, 4), YearMonth.of(2026, 5))) {
                    Invoice invoice = Invoice.of(s.ledger(), tenant, month);
                    Money movement = Money.zero(USD);
                    long charges = 0;
                    for (Transaction tx : s.ledger().transactions()) {
                        if (YearMonth.from(tx.time().atZone(java.time.ZoneOffset.UTC))
                                .equals(month)) {
                            movement = movement.plus(tx.net(Account.tenantReceivable(tenant)));
                            if (tx.basis() instanceof Basis.Charge
                                    && tx.source().tenant().equals(tenant)) {
                                charges++;
                            }
                        }
                    }
                    assertThat(invoice.total()).isEqualTo(movement);
                    assertThat(invoice.requests()).isEqualTo(charges);
                    assertThat(invoice.lines().stream().map(l -> l.amount().plus(l.corrections())))
                            .allSatisfy(m -> assertThat(m.currency()).isEqualTo(USD));
                }
            }
        }
    }
}
