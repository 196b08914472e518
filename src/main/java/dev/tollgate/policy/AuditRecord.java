package dev.tollgate.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One entry of the policy audit log: a decision that denied at least one deployment of a request, or a change of the
 * policy in force. Append-only in the store.
 *
 * @param requestId the request decided on; null for a policy change
 * @param tenant the tenant decided on; null for a policy change
 * @param model the client-facing model; null for a policy change
 * @param outcome {@code refused} (no deployment allowed: the caller got 403), {@code filtered} (some denied, the
 *     request went on), {@code loaded} (the policy in force at start) or {@code changed} (a reload)
 * @param detail JSON: the verdicts (deployment, effect, rule, reason) or the list of changes
 */
public record AuditRecord(
        Instant time, Kind kind, String requestId, String tenant, String model, String outcome, String detail) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public enum Kind {
        DECISION,
        POLICY_CHANGE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind ofWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** The record of a decision that denied something. */
    public static AuditRecord of(PolicyDecision decision, String requestId) {
        ObjectNode detail = MAPPER.createObjectNode();
        ArrayNode verdicts = detail.putArray("verdicts");
        for (Verdict v : decision.verdicts()) {
            verdicts.addObject()
                    .put("deployment", v.deployment())
                    .put("effect", v.effect().word())
                    .put("rule", v.rule())
                    .put("decided_by", v.decidedBy(decision.model()))
                    .put("reason", v.reason());
        }
        return new AuditRecord(
                decision.at(),
                Kind.DECISION,
                requestId,
                decision.tenant(),
                decision.model(),
                decision.refused() ? "refused" : "filtered",
                json(detail));
    }

    /** The record of the policy in force at start ({@code loaded}) or of a reload that changed it. */
    public static AuditRecord change(Instant at, boolean initial, int rules, List<String> changes) {
        ObjectNode detail = MAPPER.createObjectNode().put("rules", rules);
        ArrayNode list = detail.putArray("changes");
        changes.forEach(list::add);
        return new AuditRecord(at, Kind.POLICY_CHANGE, null, null, null, initial ? "loaded" : "changed", json(detail));
    }

    private static String json(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
