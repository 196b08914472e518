package dev.tollgate.guard;

/** How the detector judges an account, in rising order of suspicion. */
public enum Verdict {
    CLEAR,
    WATCH,
    SUSPECT,
    CONFIRMED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Verdict parse(String s) {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    }

    public boolean atLeast(Verdict other) {
        return compareTo(other) >= 0;
    }
}
