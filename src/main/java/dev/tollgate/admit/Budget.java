package dev.tollgate.admit;

import java.util.Objects;

/**
 * A spending limit of one scope over one period, in micro-units of one currency. Only requests priced in that
 * currency count against it (there is no currency conversion).
 *
 * @param hard true: a request whose reservation would cross the limit is refused before it is sent; false (soft):
 *     crossing it raises an alert, the request goes on
 */
public record Budget(Period period, long limitMicros, String currency, boolean hard) {
    public enum Period {
        DAILY,
        MONTHLY,
        TOTAL
    }

    public Budget {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(currency, "currency");
        if (limitMicros <= 0) {
            throw new IllegalArgumentException("a budget is positive");
        }
    }
}
