package dev.tollgate.config;

import java.util.List;

/** What a configuration reload did. */
public sealed interface ReloadOutcome {

    /**
     * The new snapshot is in force.
     *
     * @param needsRestart fields that changed but only take effect after a restart ({@code listen}, {@code store},
     *     {@code admin.listen}); the snapshot keeps their old values
     */
    record Applied(GatewayConfig config, List<String> needsRestart) implements ReloadOutcome {
        public Applied {
            needsRestart = List.copyOf(needsRestart);
        }
    }

    /** The file is invalid; the previous snapshot stays in force. */
    record Rejected(List<ConfigProblem> problems) implements ReloadOutcome {
        public Rejected {
            problems = List.copyOf(problems);
        }
    }

    /** The file is valid and means the same as before (a touch, a comment edit). */
    record Unchanged() implements ReloadOutcome {}
}
