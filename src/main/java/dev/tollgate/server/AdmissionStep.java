package dev.tollgate.server;

import dev.tollgate.admit.Budget;
import dev.tollgate.admit.BudgetSettings;
import dev.tollgate.admit.Credits;
import dev.tollgate.admit.Decision;
import dev.tollgate.admit.Quota;
import dev.tollgate.admit.RateLimit;
import dev.tollgate.admit.Spending;
import dev.tollgate.admit.TenantBudgets;
import dev.tollgate.admit.TenantLimits;
import dev.tollgate.admit.Ticket;
import dev.tollgate.config.ProjectConfig;
import dev.tollgate.config.TenantConfig;
import dev.tollgate.meter.UsageRecord;
import dev.tollgate.price.Cost;
import dev.tollgate.tenant.Principal;
import dev.tollgate.wire.GatewayError;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.canonical.IngressDialect;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one admission step of the public API, between "the request is understood and the model allowed" and "the
 * request is sent", for the pass-through and the translated paths alike: rate limits of the key, its project and the
 * tenant; then budgets (key, project, tenant) and, for a prepaid tenant, credit, both against the request's worst
 * expected cost. It writes the {@code x-ratelimit-*} headers, refuses with 429 (rate limits) or a billing error
 * (budgets, credit) in the caller's dialect, and keeps what an admitted request holds until its usage record is
 * journaled (then the real tokens and cost replace the estimates) or its answer ends without one.
 */
final class AdmissionStep {
    private static final CharSequence LIMIT_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-limit-requests");
    private static final CharSequence REMAINING_REQUESTS =
            HttpHeaders.createOptimized("x-ratelimit-remaining-requests");
    private static final CharSequence RESET_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-reset-requests");
    private static final CharSequence LIMIT_TOKENS = HttpHeaders.createOptimized("x-ratelimit-limit-tokens");
    private static final CharSequence REMAINING_TOKENS = HttpHeaders.createOptimized("x-ratelimit-remaining-tokens");
    private static final CharSequence RESET_TOKENS = HttpHeaders.createOptimized("x-ratelimit-reset-tokens");

    private final GatewayState state;
    /** What admitted requests hold, by request id, until their usage record is journaled. */
    private final ConcurrentHashMap<String, Held> open = new ConcurrentHashMap<>();

    /** What one admitted request holds: a rate-limit ticket, a budget reservation, a credit hold. */
    private record Held(Ticket ticket, Spending.Reservation reservation, String tenant, boolean credit) {}

    AdmissionStep(GatewayState state) {
        this.state = state;
        state.ledger.onAppended(this::settle);
    }

    /**
     * Admits a request or answers it with its refusal. Returns false when refused (the answer is then on its way).
     *
     * @param model the client-facing model asked for (prices the worst expected cost)
     * @param body the request as the caller sent it; only read when a tokens-per-minute limit, a budget or prepaid
     *     credit applies
     */
    boolean admit(
            HttpServerResponse response,
            RuntimeConfig config,
            Principal principal,
            String requestId,
            String model,
            byte[] body,
            boolean stream,
            IngressDialect dialect) {
        String tenantName = principal.tenant();
        TenantConfig tenant = config.config().tenants().get(tenantName);
        TenantLimits limits = tenant == null ? TenantLimits.NONE : tenant.limits();
        String project = principal.project();
        ProjectConfig projectConfig =
                project == null || tenant == null ? null : tenant.projects().get(project);
        RateLimit projectLimit = projectConfig == null ? RateLimit.NONE : projectConfig.limits();
        TenantBudgets configured = tenant == null ? TenantBudgets.NONE : tenant.budgets();
        BudgetSettings settings = state.budgetSettings;
        List<Budget> tenantBudgets = settings.effective(tenantName, "tenant", tenantName, configured.tenant());
        List<Budget> keyBudgets = settings.effective(tenantName, "key", principal.keyId(), configured.eachKey());
        List<Budget> projectBudgets = project == null
                ? List.of()
                : settings.effective(
                        tenantName, "project", project, projectConfig == null ? List.of() : projectConfig.budgets());
        boolean budgeted = !tenantBudgets.isEmpty() || !keyBudgets.isEmpty() || !projectBudgets.isEmpty();
        boolean prepaid = tenant != null && tenant.prepaid();
        boolean limited = !limits.isNone() || (project != null && !projectLimit.isNone());
        if (!limited && !budgeted && !prepaid) {
            return true;
        }
        boolean countTokens = budgeted
                || prepaid
                || limits.tenant().tokensPerMinute() > 0
                || limits.eachKey().tokensPerMinute() > 0
                || projectLimit.tokensPerMinute() > 0;
        long estimate = countTokens ? state.estimator.promptTokens(body) : 0;
        Ticket ticket = Ticket.NONE;
        if (limited) {
            Decision decision = state.admission.admit(
                    tenantName, project, principal.keyId(), limits, projectLimit, estimate, stream);
            headers(response, decision.quota(), dialect);
            if (decision instanceof Decision.Refused refused) {
                ApiErrors.send(
                        response,
                        new GatewayError(
                                429,
                                GatewayError.Kind.RATE_LIMITED,
                                "rate_limit_exceeded",
                                null,
                                refused.message(),
                                refused.retryAfterSeconds()),
                        requestId,
                        dialect);
                return false;
            }
            ticket = ((Decision.Admitted) decision).ticket();
        }
        Spending.Reservation reservation = null;
        boolean credit = false;
        if (budgeted || prepaid) {
            Instant now = state.clock.instant();
            long output = OutputAllowance.maxOutputTokens(body);
            Cost worst = WorstCost.of(config.config().billing().prices(), model, estimate, output, now);
            if (budgeted) {
                Spending.Outcome outcome = state.spending.reserve(
                        tenantName,
                        project,
                        principal.keyId(),
                        new TenantBudgets(tenantBudgets, keyBudgets),
                        projectBudgets,
                        worst.micros(),
                        worst.currency());
                if (outcome instanceof Spending.Exhausted exhausted) {
                    giveBack(ticket);
                    refuseForBilling(
                            response,
                            "budget_exceeded",
                            exhausted.message(),
                            exhausted.retryAfterSeconds(),
                            requestId,
                            dialect);
                    return false;
                }
                reservation = ((Spending.Reserved) outcome).reservation();
            }
            if (prepaid) {
                Credits.Coverage coverage = state.credits.reserve(
                        tenantName, requestId, model, estimate + output, worst.micros(), worst.currency(), now);
                if (coverage instanceof Credits.Short shortOf) {
                    giveBack(ticket);
                    if (reservation != null) {
                        reservation.settle(0);
                    }
                    refuseForBilling(response, "insufficient_quota", shortOf.message(), 0, requestId, dialect);
                    return false;
                }
                credit = true;
            }
        }
        open.put(requestId, new Held(ticket, reservation, tenantName, credit));
        // An answer that ends without a usage record (the journal refused it) still frees its stream slot and
        // credit hold; its budget reservation stays as reserved.
        response.endHandler(v -> {
            Held left = open.remove(requestId);
            if (left != null) {
                left.ticket().release();
                if (left.credit()) {
                    state.credits.release(left.tenant(), requestId);
                }
            }
        });
        return true;
    }

    private static void giveBack(Ticket ticket) {
        ticket.settle(0);
        ticket.release();
    }

    /**
     * Budgets and credit refuse in the caller's own terms for "out of money": OpenAI's 429 {@code insufficient_quota}
     * and Anthropic's 402 {@code billing_error}. Retrying does not help until someone pays (or the budget's period
     * renews), so the SDKs are told not to retry ({@code x-should-retry: false}).
     */
    private static void refuseForBilling(
            HttpServerResponse response,
            String code,
            String message,
            long retryAfterSeconds,
            String requestId,
            IngressDialect dialect) {
        int status = dialect == AnthropicDialect.INSTANCE ? 402 : 429;
        response.putHeader("x-should-retry", "false");
        ApiErrors.send(
                response,
                new GatewayError(status, GatewayError.Kind.BILLING, code, null, message, retryAfterSeconds),
                requestId,
                dialect);
    }

    /**
     * On the journaling thread (the request's event loop): the real tokens and cost replace the estimates, and the
     * tenant's credit is consumed (for every tenant with grants, prepaid or not; at most once per request id).
     */
    private void settle(UsageRecord record) {
        Held held = open.remove(record.requestId());
        if (held != null) {
            held.ticket().settle(record.usage().totalTokens());
            held.ticket().release();
            if (held.reservation() != null) {
                held.reservation().settle(record.costMicros());
            }
        }
        state.credits.settle(
                record.tenant(),
                record.requestId(),
                record.model(),
                record.usage().totalTokens(),
                record.costMicros(),
                record.currency(),
                record.time());
    }

    private void headers(HttpServerResponse response, Quota quota, IngressDialect dialect) {
        if (quota.limitsRequests()) {
            response.putHeader(LIMIT_REQUESTS, Long.toString(quota.limitRequests()));
            response.putHeader(REMAINING_REQUESTS, Long.toString(quota.remainingRequests()));
            response.putHeader(RESET_REQUESTS, duration(quota.resetRequestsNanos()));
        }
        if (quota.limitsTokens()) {
            response.putHeader(LIMIT_TOKENS, Long.toString(quota.limitTokens()));
            response.putHeader(REMAINING_TOKENS, Long.toString(quota.remainingTokens()));
            response.putHeader(RESET_TOKENS, duration(quota.resetTokensNanos()));
        }
        if (dialect == AnthropicDialect.INSTANCE) {
            // Anthropic's own names, with the reset as an RFC 3339 instant.
            Instant now = state.clock.instant();
            if (quota.limitsRequests()) {
                response.putHeader("anthropic-ratelimit-requests-limit", Long.toString(quota.limitRequests()));
                response.putHeader("anthropic-ratelimit-requests-remaining", Long.toString(quota.remainingRequests()));
                response.putHeader("anthropic-ratelimit-requests-reset", instant(now, quota.resetRequestsNanos()));
            }
            if (quota.limitsTokens()) {
                response.putHeader("anthropic-ratelimit-tokens-limit", Long.toString(quota.limitTokens()));
                response.putHeader("anthropic-ratelimit-tokens-remaining", Long.toString(quota.remainingTokens()));
                response.putHeader("anthropic-ratelimit-tokens-reset", instant(now, quota.resetTokensNanos()));
            }
        }
    }

    private static String instant(Instant now, long nanos) {
        return now.plusNanos(nanos).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** OpenAI's form of a reset time: {@code 120ms}, {@code 17s}, {@code 6m0s}. */
    static String duration(long nanos) {
        if (nanos < 1_000_000_000L) {
            return Math.max(0, (nanos + 999_999) / 1_000_000) + "ms";
        }
        long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
        return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
    }
}
