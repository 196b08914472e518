package dev.tollgate.settle;

import java.util.Objects;

/** Someone money is owed to or by. The name is the identity: accounts are named after it. */
public record Party(String name, Role role) {
    /** The roles of issue 5; they label statements and do not change how shares are computed. */
    public enum Role {
        MODEL_OWNER,
        DISTRIBUTOR,
        CLOUD,
        RESELLER,
        PLATFORM
    }

    public Party {
        Objects.requireNonNull(role, "role");
        if (name == null || name.isBlank() || name.contains(":")) {
            // ':' separates the parts of an account name.
            throw new IllegalArgumentException("party name must be non-blank and free of ':': " + name);
        }
    }
}
