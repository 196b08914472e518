package dev.tollgate.server;

import dev.tollgate.policy.AuditRecord;
import dev.tollgate.policy.AuditTrail;
import dev.tollgate.policy.PolicyChange;
import dev.tollgate.policy.PolicyDecision;
import dev.tollgate.policy.PolicyGate;
import dev.tollgate.policy.TenantProfile;
import dev.tollgate.policy.Verdict;
import dev.tollgate.route.Deployment;
import dev.tollgate.tenant.Principal;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.canonical.IngressDialect;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one policy hook of the request path: after the planner has ordered a model's deployments, the ones the
 * compliance policy denies this tenant now are taken out. When none is left the caller gets 403 {@code policy_denied}
 * in its dialect with the rules' reasons. Every decision that denied something, and every policy change, goes to the
 * audit trail (off the event loop).
 */
final class PolicyStep {
    static final String ERROR_CODE = "x-tollgate-error-code";
    private final GatewayState state;
    private volatile AuditTrail audit;

    PolicyStep(GatewayState state) {
        this.state = state;
    }

    /** Where decisions and changes are written; none until the gateway wires its store in. */
    void auditTo(AuditTrail trail) {
        this.audit = trail;
    }

    AuditTrail audit() {
        return audit;
    }

    static TenantProfile tenant(RuntimeConfig config, Principal principal) {
        return config.policy().tenant(principal.tenant(), principal.country());
    }

    /**
     * The deployments of {@code plan} the policy allows; null when it allows none, after answering 403 in the
     * caller's dialect. A decision that denied anything is audited.
     */
    List<Deployment> admit(
            HttpServerResponse response,
            RuntimeConfig config,
            Principal principal,
            String model,
            List<Deployment> plan,
            String requestId,
            IngressDialect dialect) {
        PolicyGate gate = config.policy();
        TenantProfile tenant = tenant(config, principal);
        Instant now = state.clock.instant();
        // A fallback model's deployment is judged for the model it serves.
        List<Deployment> allowed = gate.filter(tenant, model, plan, Deployment::id, Deployment::model, now);
        if (allowed == plan) {
            return plan;
        }
        // Something was denied: the full decision, with the deciding rule of each deployment, for the audit log.
        List<Verdict> verdicts = new ArrayList<>(plan.size());
        for (Deployment d : plan) {
            verdicts.add(gate.decide(tenant, d.model() != null ? d.model() : model, gate.deployment(d.id()), now));
        }
        PolicyDecision decision = new PolicyDecision(tenant.name(), model, now, verdicts);
        AuditTrail trail = audit;
        if (trail != null) {
            trail.record(AuditRecord.of(decision, requestId));
        }
        if (!allowed.isEmpty()) {
            return allowed;
        }
        GatewayError error = new GatewayError(
                403,
                GatewayError.Kind.PERMISSION,
                "policy_denied",
                "model",
                decision.refusal(gate.policy().exposeRuleNames()),
                0);
        // The Anthropic error shape has no code field: the header carries it for callers of either dialect.
        response.putHeader(ERROR_CODE, "policy_denied");
        if (dialect == null) {
            ApiErrors.send(response, error, requestId);
        } else {
            ApiErrors.send(response, error, requestId, dialect);
        }
        return null;
    }

    /** The deployments of {@code plan} the policy allows now, without auditing: for the new pass of a retry. */
    List<Deployment> filter(RuntimeConfig config, Principal principal, String model, List<Deployment> plan) {
        return config.policy()
                .filter(
                        tenant(config, principal),
                        model,
                        plan,
                        Deployment::id,
                        Deployment::model,
                        state.clock.instant());
    }

    /** Audits the policy in force at start. */
    void loaded(RuntimeConfig config) {
        AuditTrail trail = audit;
        if (trail != null) {
            trail.record(AuditRecord.change(
                    state.clock.instant(),
                    true,
                    config.policy().policy().rules().size(),
                    PolicyChange.describe(config.policy())));
        }
    }

    /** Audits a reload when it changed what the policy can decide. */
    void changed(RuntimeConfig before, RuntimeConfig after) {
        List<String> changes = PolicyChange.between(before.policy(), after.policy());
        AuditTrail trail = audit;
        if (trail != null && !changes.isEmpty()) {
            trail.record(AuditRecord.change(
                    state.clock.instant(),
                    false,
                    after.policy().policy().rules().size(),
                    changes));
        }
    }
}
