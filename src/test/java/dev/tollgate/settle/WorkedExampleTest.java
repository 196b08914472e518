package dev.tollgate.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The worked example of docs/billing.md, posted through the engine; the statement printed there is checked here. */
class WorkedExampleTest {
    static final Party MODELCO = new Party("modelco", Party.Role.MODEL_OWNER);
    static final Party CLOUDCO = new Party("cloudco", Party.Role.CLOUD);
    static final Instant TERM_START = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant TERM_END = Instant.parse("2031-01-01T00:00:00Z");
    static final Instant REVERSE_ENDS = Instant.parse("2026-04-27T00:00:00Z");

    static final Agreement OWNER_TO_CLOUD = Agreement.of(
            "owner-to-cloud",
            MODELCO,
            CLOUDCO,
            RevenueBase.models("frontier-1", "frontier-mini").withProviders("modelco"),
            new BigDecimal("0.20"),
            Optional.of(Money.of("USD", "38000")),
            TERM_START,
            TERM_END);

    static final Agreement CLOUD_TO_OWNER = Agreement.of(
                    "cloud-to-owner",
                    CLOUDCO,
                    MODELCO,
                    RevenueBase.models("frontier-1", "frontier-mini").withProviders("cloudco"),
                    new BigDecimal("0.20"),
                    Optional.empty(),
                    TERM_START,
                    TERM_END)
            .amended(Amendment.endsFrom(REVERSE_ENDS));

    static Revenue revenue(String id, String time, String model, String provider, String region, String usd) {
        return new Revenue(
                id, Instant.parse(time), "acme", model, provider + "/" + model, provider, region, Money.of("USD", usd));
    }

    static Settlement example() {
        Settlement s = new Settlement(new Ledger(Currency.getInstance("USD")), List.of(OWNER_TO_CLOUD, CLOUD_TO_OWNER));
        // January to March, one event per month standing for the month's traffic: 37,998.00 of the cap consumed.
        s.post(revenue("req_jan", "2026-01-31T12:00:00Z", "frontier-1", "modelco", "us-east", "60000"));
        s.post(revenue("req_feb", "2026-02-28T12:00:00Z", "frontier-1", "modelco", "us-east", "65000"));
        s.post(revenue("req_mar", "2026-03-31T12:00:00Z", "frontier-1", "modelco", "us-east", "64990"));
        // April.
        s.post(revenue("req_a1", "2026-04-02T09:00:00Z", "frontier-1", "modelco", "us-east", "4.00"));
        s.post(revenue("req_a2", "2026-04-09T14:30:00Z", "frontier-mini", "cloudco", "eu-west", "2.50"));
        s.post(revenue("req_a3", "2026-04-15T08:00:00Z", "frontier-1", "modelco", "eu-west", "5.00"));
        s.post(revenue("req_a3", "2026-04-15T08:00:00Z", "frontier-1", "modelco", "eu-west", "5.00")); // retried
        s.post(revenue("req_a4", "2026-04-20T11:00:00Z", "frontier-mini", "modelco", "us-east", "3.00"));
        s.post(revenue("req_a5", "2026-04-26T23:59:59.999999999Z", "frontier-1", "cloudco", "us-east", "7.00"));
        s.post(revenue("req_a6", "2026-04-27T00:00:00Z", "frontier-1", "cloudco", "us-east", "7.00"));
        s.post(revenue("req_a7", "2026-04-28T10:00:00Z", "frontier-1", "modelco", "us-east", "10.00"));
        s.post(revenue("req_a8", "2026-04-29T10:00:00Z", "small-open", "modelco", "us-east", "1.00"));
        s.post(revenue("req_a9", "2026-04-18T16:00:00Z", "frontier-1", "modelco", "eu-west", "0.50")); // late
        return s;
    }

    @Test
    void theStatementOfTheModelOwnerForApril() {
        Statement st = Statement.of(example().ledger(), MODELCO, YearMonth.of(2026, 4));

        assertThat(st.payable()).isEqualTo(Money.of("USD", "2.00"));
        assertThat(st.receivable()).isEqualTo(Money.of("USD", "1.90"));
        assertThat(st.net()).isEqualTo(Money.of("USD", "-0.10"));
        Statement.AgreementSummary owed = st.agreements().get(1);
        assertThat(owed.agreement().id()).isEqualTo("owner-to-cloud");
        assertThat(owed.capConsumed()).isEqualTo(Money.of("USD", "38000"));
        assertThat(owed.capRemaining()).contains(Money.of("USD", "0"));
        assertThat(owed.adjustments()).isEqualTo(Money.of("USD", "-0.10"));
    }

    @Test
    void docsBillingMdPrintsExactlyThisStatement() throws Exception {
        String doc = Files.readString(Path.of("docs/billing.md"), StandardCharsets.UTF_8);
        String begin = "<!-- statement:begin -->\n";
        String end = "<!-- statement:end -->";
        String printed = doc.substring(doc.indexOf(begin) + begin.length(), doc.indexOf(end));

        String rendered =
                Statement.of(example().ledger(), MODELCO, YearMonth.of(2026, 4)).render();

        assertThat(printed.strip()).isEqualTo(rendered.strip());
    }
}
