package dev.tollgate.guard;

import java.util.Locale;

/** What the gateway does with the requests of an account whose verdict calls for it, in rising severity. */
public enum Action {
    /** Listed for operators and audited; requests pass. */
    FLAG,
    /** Requests pass at a small fixed rate ({@code guard.throttle.requests_per_minute}); beyond it, 429. */
    THROTTLE,
    /** Requests are refused with 403 {@code verification_required} until an operator clears the account. */
    REQUIRE_VERIFICATION,
    /** Requests are refused with 403 {@code account_blocked}. */
    BLOCK;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code s} in the configuration's spelling, or null. */
    public static Action parse(String s) {
        for (Action a : values()) {
            if (a.wire().equals(s)) {
                return a;
            }
        }
        return null;
    }
}
