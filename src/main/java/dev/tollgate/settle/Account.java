package dev.tollgate.settle;

/**
 * A ledger account, named {@code kind:owner:purpose}. Receivables carry debit balances (owed to the owner),
 * payables and revenue credit balances (owed by the owner, earned by the owner).
 */
public record Account(String name) {
    public Account {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("account name is required");
        }
    }

    /** What other parties owe {@code party} under its agreements. */
    public static Account receivable(Party party) {
        return new Account("party:" + party.name() + ":receivable");
    }

    /** What {@code party} owes other parties under its agreements. */
    public static Account payable(Party party) {
        return new Account("party:" + party.name() + ":payable");
    }

    /** What a tenant owes for the requests it made. */
    public static Account tenantReceivable(String tenant) {
        return new Account("tenant:" + tenant + ":receivable");
    }

    /** Revenue earned from a tenant's requests. */
    public static Account revenue(String tenant) {
        return new Account("revenue:" + tenant);
    }

    @Override
    public String toString() {
        return name;
    }
}
