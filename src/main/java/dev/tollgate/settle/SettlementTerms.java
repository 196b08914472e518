package dev.tollgate.settle;

import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code settlement:} section of the configuration: the ledger's currency, the parties and the agreements
 * between them. {@link #NONE} when the file has no such section: then nothing is settled.
 *
 * @param currency the one currency settled; priced usage records in another currency are left out (one ledger per
 *     currency, no FX)
 * @param parties by name
 * @param agreements in the order written; each is one direction (payer → payee)
 */
public record SettlementTerms(Currency currency, Map<String, Party> parties, List<Agreement> agreements) {
    public static final SettlementTerms NONE = new SettlementTerms(Currency.getInstance("USD"), Map.of(), List.of());

    public SettlementTerms {
        Objects.requireNonNull(currency, "currency");
        parties = Map.copyOf(parties);
        agreements = List.copyOf(agreements);
    }

    /** True when the file configures settlement at all (an empty section settles charges only). */
    public boolean enabled() {
        return this != NONE;
    }

    public Optional<Party> party(String name) {
        return Optional.ofNullable(parties.get(name));
    }
}
