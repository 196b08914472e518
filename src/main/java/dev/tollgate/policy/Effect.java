package dev.tollgate.policy;

import java.util.Locale;

/** What a rule, or a default, does to a deployment it applies to. */
public enum Effect {
    ALLOW,
    DENY;

    /** The word used in the configuration file and the admin API. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
