package dev.tollgate.price;

/**
 * The price of one request in micro-units (millionths) of its currency, the ledger scale of {@code settle.Money}.
 *
 * @param currency ISO 4217 code; null when the model has no price, and then {@code micros} is 0
 */
public record Cost(long micros, String currency) {
    /** A request of a model without a price: free, in no currency. */
    public static final Cost NONE = new Cost(0, null);

    public boolean priced() {
        return currency != null;
    }
}
