package dev.tollgate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.config.AdminConfig;
import dev.tollgate.config.TenantConfig;
import dev.tollgate.guard.AccountReport;
import dev.tollgate.guard.Action;
import dev.tollgate.guard.Guard;
import dev.tollgate.guard.GuardAudit;
import dev.tollgate.guard.Verdict;
import dev.tollgate.meter.UsageQuery;
import dev.tollgate.meter.UsageSummary;
import dev.tollgate.meter.UsageTotals;
import dev.tollgate.observe.GatewayMetrics;
import dev.tollgate.policy.AuditQuery;
import dev.tollgate.policy.AuditRecord;
import dev.tollgate.policy.AuditTrail;
import dev.tollgate.policy.PolicyDecision;
import dev.tollgate.policy.PolicyGate;
import dev.tollgate.policy.TenantProfile;
import dev.tollgate.route.Deployment;
import dev.tollgate.route.DeploymentHealth;
import dev.tollgate.route.RouteHealth;
import dev.tollgate.store.SqlStore;
import dev.tollgate.tenant.CreatedKey;
import dev.tollgate.tenant.StoredKey;
import dev.tollgate.tenant.StoredTenant;
import dev.tollgate.tenant.UnknownNameException;
import dev.tollgate.wire.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * The admin API on its own listener, guarded by a bearer token: usage totals, tenants and virtual keys. Store work
 * runs on worker threads, never on the event loop.
 */
final class AdminServer extends VerticleBase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

    private final GatewayState state;
    private final SqlStore store;
    private final CreditsAdmin credits;
    private HttpServer server;

    AdminServer(GatewayState state, SqlStore store) {
        this.state = state;
        this.store = store;
        this.credits = new CreditsAdmin(state, store);
    }

    @Override
    public Future<?> start() {
        AdminConfig admin = state.config().config().admin();
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost(admin.listen().host())
                        .setPort(admin.listen().port())
                        .setMaxHeaderSize(16 * 1024))
                .requestHandler(this::handle);
        return server.listen();
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        String requestId = RequestIds.next();
        HttpServerResponse res = req.response();
        res.putHeader(GatewayHeaders.REQUEST_ID, requestId);
        if (DashboardAssets.owns(req.path()) && req.method().equals(HttpMethod.GET)) {
            DashboardAssets.serve(req.path(), res);
            return;
        }
        if (!authorized(req)) {
            error(
                    res,
                    GatewayError.unauthenticated("Missing or wrong admin token: send 'Authorization: Bearer <token>'."),
                    requestId);
            return;
        }
        req.bodyHandler(body -> {
            if (body.length() > MAX_BODY) {
                error(res, GatewayError.tooLarge(MAX_BODY), requestId);
                return;
            }
            try {
                route(req, res, body, requestId);
            } catch (IllegalArgumentException e) {
                error(res, GatewayError.invalid(e.getMessage(), null), requestId);
            }
        });
    }

    private void route(HttpServerRequest req, HttpServerResponse res, Buffer body, String requestId) {
        String path = req.path();
        HttpMethod method = req.method();
        CreditsAdmin.Work creditWork = CreditsAdmin.owns(path)
                ? credits.work(method.name(), path, req::getParam, body.length() == 0 ? null : json(body))
                : null;
        if (creditWork != null) {
            blocking(res, requestId, creditWork.call(), creditWork.status());
        } else if (path.equals("/admin/v1/usage") && method.equals(HttpMethod.GET)) {
            usage(req, res, requestId);
        } else if (path.equals("/admin/v1/keys") && method.equals(HttpMethod.GET)) {
            String tenant = req.getParam("tenant");
            blocking(res, requestId, () -> keysJson(state.tenants.keys(tenant)), 200);
        } else if (path.equals("/admin/v1/keys") && method.equals(HttpMethod.POST)) {
            JsonNode json = json(body);
            String tenant = required(json, "tenant");
            String name = json.path("name").asText("");
            List<String> models = new ArrayList<>();
            json.path("models").forEach(m -> models.add(m.asText()));
            String project = json.path("project").asText(null);
            if (project != null && !NAME.matcher(project).matches()) {
                throw new IllegalArgumentException("'project' must be 1-64 letters, digits, '.', '_' or '-'.");
            }
            blocking(res, requestId, () -> createdKeyJson(state.tenants.createKey(tenant, name, models, project)), 201);
        } else if (path.startsWith("/admin/v1/keys/") && method.equals(HttpMethod.DELETE)) {
            String id = path.substring("/admin/v1/keys/".length());
            vertx.executeBlocking(() -> state.tenants.revokeKey(id)).onComplete(ar -> {
                if (ar.failed()) {
                    internal(res, ar.cause(), requestId);
                } else if (ar.result().isEmpty()) {
                    error(res, GatewayError.notFound("No key with id '" + id + "'."), requestId);
                } else {
                    send(res, 200, keyJson(ar.result().get()));
                }
            });
        } else if (path.equals("/admin/v1/tenants") && method.equals(HttpMethod.GET)) {
            blocking(
                    res,
                    requestId,
                    () -> {
                        ArrayNode list = MAPPER.createArrayNode();
                        for (StoredTenant t : state.tenants.tenants()) {
                            list.addObject().put("name", t.name()).put("country", t.country());
                        }
                        return MAPPER.createObjectNode().set("data", list);
                    },
                    200);
        } else if (path.equals("/admin/v1/tenants") && method.equals(HttpMethod.POST)) {
            JsonNode json = json(body);
            String name = required(json, "name");
            String country = json.path("country").asText(null);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'name' must be 1-64 letters, digits, '.', '_' or '-'.");
            }
            if (country != null && !COUNTRY.matcher(country).matches()) {
                throw new IllegalArgumentException("'country' must be an ISO 3166 alpha-2 code such as DE.");
            }
            blocking(
                    res,
                    requestId,
                    () -> {
                        StoredTenant t = state.tenants.createTenant(name, country);
                        return MAPPER.createObjectNode().put("name", t.name()).put("country", t.country());
                    },
                    201);
        } else if (path.equals("/admin/v1/usage/totals") && method.equals(HttpMethod.GET)) {
            usageTotals(req, res, requestId);
        } else if (path.equals("/admin/v1/models") && method.equals(HttpMethod.GET)) {
            send(res, 200, modelsJson(state.config()));
        } else if (path.equals("/admin/v1/route") && method.equals(HttpMethod.GET)) {
            routeView(req, res, requestId);
        } else if (path.equals("/admin/v1/audit") && method.equals(HttpMethod.GET)) {
            auditView(req, res, requestId);
        } else if (path.startsWith(GUARD_ACCOUNTS)) {
            guard(req, res, body, requestId);
        } else if (path.equals("/metrics") && method.equals(HttpMethod.GET)) {
            // A scrape walks every meter (histograms included): a worker thread, not the event loop, does it.
            vertx.executeBlocking(state.metrics::scrape).onComplete(ar -> {
                if (ar.succeeded()) {
                    res.putHeader(HttpHeaders.CONTENT_TYPE, GatewayMetrics.contentType())
                            .end(ar.result());
                } else {
                    internal(res, ar.cause(), requestId);
                }
            });
        } else if (path.equals("/admin/v1/health") && method.equals(HttpMethod.GET)) {
            send(
                    res,
                    200,
                    MAPPER.createObjectNode()
                            .put("status", "ok")
                            .put("in_flight", state.inFlight.sum())
                            .put("usage_journaled", state.ledger.journaledCount())
                            .put("usage_stored", state.ledger.storedCount()));
        } else {
            error(res, GatewayError.notFound("Unknown admin route " + method.name() + " " + path + "."), requestId);
        }
    }

    private static final String GUARD_ACCOUNTS = "/admin/v1/guard/accounts";

    /**
     * {@code GET /admin/v1/guard/accounts[?verdict=suspect][&limit=100]}, {@code GET …/accounts/{account}} (feature
     * values, score, reasons, cluster, audit trail) and {@code POST …/accounts/{account}/override}.
     */
    private void guard(HttpServerRequest req, HttpServerResponse res, Buffer body, String requestId) {
        Guard guard = state.guard.guard;
        String rest = req.path().substring(GUARD_ACCOUNTS.length());
        HttpMethod method = req.method();
        if (rest.isEmpty() && method.equals(HttpMethod.GET)) {
            String v = req.getParam("verdict");
            Verdict verdict;
            try {
                verdict = v == null || v.isBlank() ? null : Verdict.parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'verdict' must be one of clear, watch, suspect, confirmed.");
            }
            int limit = limit(req.getParam("limit"));
            vertx.executeBlocking(() -> {
                        ArrayNode list = MAPPER.createArrayNode();
                        for (AccountReport r : guard.detector().reports(verdict)) {
                            if (list.size() >= limit) {
                                break;
                            }
                            list.add(accountJson(guard, r, false));
                        }
                        ObjectNode out = MAPPER.createObjectNode();
                        out.set("data", list);
                        return (JsonNode) out;
                    })
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            send(res, 200, ar.result());
                        } else {
                            internal(res, ar.cause(), requestId);
                        }
                    });
            return;
        }
        boolean override = rest.endsWith("/override");
        String account = decode(override ? rest.substring(1, rest.length() - "/override".length()) : rest.substring(1));
        if (account.isEmpty() || account.contains("/")) {
            error(
                    res,
                    GatewayError.notFound("Unknown admin route " + method.name() + " " + req.path() + "."),
                    requestId);
            return;
        }
        if (!override && method.equals(HttpMethod.GET)) {
            vertx.executeBlocking(() -> {
                        var found = guard.detector().report(account);
                        if (found.isEmpty()) {
                            return null;
                        }
                        ObjectNode out = accountJson(guard, found.get(), true);
                        ArrayNode audit = out.putArray("audit");
                        for (GuardAudit.Entry e : guard.history(account, 50)) {
                            audit.add(auditJson(e));
                        }
                        return out;
                    })
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            internal(res, ar.cause(), requestId);
                        } else if (ar.result() == null) {
                            error(
                                    res,
                                    GatewayError.notFound("The guard has no state for account '" + account
                                            + "' (never seen, or forgotten after its time to live)."),
                                    requestId);
                        } else {
                            send(res, 200, ar.result());
                        }
                    });
        } else if (override && method.equals(HttpMethod.POST)) {
            JsonNode json = json(body);
            JsonNode v = json.path("verdict");
            Verdict verdict;
            if (v.isNull() || v.isMissingNode()) {
                verdict = null;
            } else {
                try {
                    verdict = Verdict.parse(v.asText());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "'verdict' must be one of clear, watch, suspect, confirmed, or null to lift the override.");
                }
            }
            String reason = required(json, "reason");
            if (reason.length() > 500) {
                throw new IllegalArgumentException("'reason' must be at most 500 characters.");
            }
            blocking(
                    res,
                    requestId,
                    () -> {
                        var report = guard.override(account, verdict, reason, state.clock.instant());
                        ObjectNode out = report.map(r -> accountJson(guard, r, false))
                                .orElseGet(() -> {
                                    Verdict now = guard.detector().verdictOf(account);
                                    Action action = guard.actionOf(null, account);
                                    ObjectNode o = MAPPER.createObjectNode()
                                            .put("account", account)
                                            .put("verdict", now.wire());
                                    o.put("action", action == null ? null : action.wire());
                                    return o;
                                });
                        return out;
                    },
                    200);
        } else {
            error(
                    res,
                    GatewayError.notFound("Unknown admin route " + method.name() + " " + req.path() + "."),
                    requestId);
        }
    }

    private static int limit(String s) {
        if (s == null) {
            return 100;
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 10_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'limit' must be a whole number from 1 to 10000.");
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static ObjectNode accountJson(Guard guard, AccountReport r, boolean detail) {
        ObjectNode o = MAPPER.createObjectNode()
                .put("account", r.account())
                .put("org", r.org())
                .put("verdict", r.verdict().wire());
        Action action = guard.policy().action(r.org(), r.verdict());
        o.put("action", action == null ? null : action.wire());
        o.put("score", r.score());
        o.put(
                "first_flagged_at",
                r.firstFlaggedAt() == null ? null : r.firstFlaggedAt().toString());
        ArrayNode reasons = o.putArray("reasons");
        r.reasons().forEach(reasons::add);
        o.put("cluster", r.cluster());
        o.put("cluster_score", r.clusterScore());
        o.put("override", r.override());
        o.put("observations", r.observations());
        if (detail) {
            o.put("first_seen", r.firstSeen().toString());
            o.put("last_seen", r.lastSeen().toString());
            ObjectNode features = o.putObject("features");
            r.features().forEach(features::put);
        }
        return o;
    }

    private static ObjectNode auditJson(GuardAudit.Entry e) {
        ObjectNode o = MAPPER.createObjectNode()
                .put("time", e.time().toString())
                .put("from", e.from().wire())
                .put("to", e.to().wire());
        o.put("action", e.action() == null ? null : e.action().wire());
        o.put("score", Math.round(e.score() * 1000) / 1000.0);
        o.put("cause", e.cause());
        ArrayNode reasons = o.putArray("reasons");
        e.reasons().forEach(reasons::add);
        return o;
    }

    private void usage(HttpServerRequest req, HttpServerResponse res, String requestId) {
        String tenant = req.getParam("tenant");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("Query parameter 'tenant' is required.");
        }
        UsageQuery query = new UsageQuery(
                tenant, req.getParam("key"), req.getParam("model"), instant(req, "from"), instant(req, "to"));
        // Everything journaled before this call is counted: the answer is exact, not eventually so.
        Future.fromCompletionStage(state.ledger.flush())
                .compose(v -> vertx.executeBlocking(() -> store.summarize(query)))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        internal(res, ar.cause(), requestId);
                    } else {
                        send(res, 200, usageJson(ar.result()));
                    }
                });
    }

    /** Totals per tenant and model over [from, to), by default the last 24 hours; exact like {@code usage}. */
    private void usageTotals(HttpServerRequest req, HttpServerResponse res, String requestId) {
        Instant to = instant(req, "to");
        Instant end = to == null ? state.clock.instant() : to;
        Instant from = instant(req, "from");
        Instant start = from == null ? end.minus(java.time.Duration.ofDays(1)) : from;
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("'from' must be before 'to'.");
        }
        Future.fromCompletionStage(state.ledger.flush())
                .compose(v -> vertx.executeBlocking(() -> store.totals(start, end)))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        internal(res, ar.cause(), requestId);
                        return;
                    }
                    ObjectNode out = MAPPER.createObjectNode()
                            .put("from", start.toString())
                            .put("to", end.toString());
                    ArrayNode rows = out.putArray("rows");
                    for (UsageTotals t : ar.result()) {
                        rows.addObject()
                                .put("tenant", t.tenant())
                                .put("model", t.model())
                                .put("requests", t.requests())
                                .put("failed", t.failed())
                                .put("prompt_tokens", t.promptTokens())
                                .put("completion_tokens", t.completionTokens())
                                .put("cached_tokens", t.cachedTokens())
                                .put("reasoning_tokens", t.reasoningTokens());
                    }
                    send(res, 200, out);
                });
    }

    /** The client-facing models and their deployments, as configured now. */
    private static ObjectNode modelsJson(RuntimeConfig config) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode models = out.putArray("models");
        new java.util.TreeMap<>(config.config().models()).forEach((name, deployments) -> {
            ArrayNode ids = models.addObject().put("model", name).putArray("deployments");
            deployments.forEach(d -> ids.add(d.id()));
        });
        return out;
    }

    /**
     * How a request for {@code model} (by {@code tenant}) would be routed now, or at {@code at}: every candidate
     * deployment in the order the router would try them, with its breaker state, recent failure rate and latency, and
     * the compliance policy's verdict on it (allowed or denied, the deciding rule and its reason). {@code try_order}
     * lists the allowed ones in the order they would be tried. Nothing is sent upstream.
     */
    private void routeView(HttpServerRequest req, HttpServerResponse res, String requestId) {
        String model = req.getParam("model");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("Query parameter 'model' is required.");
        }
        String tenant = req.getParam("tenant");
        Instant at = instant(req, "at");
        RuntimeConfig config = state.config();
        List<Deployment> deployments = config.routes().deployments(model);
        if (deployments == null) {
            error(res, GatewayError.modelNotFound(model.length() > 100 ? model.substring(0, 100) : model), requestId);
            return;
        }
        TenantConfig declared =
                tenant == null ? null : config.config().tenants().get(tenant);
        if (declared != null
                && !declared.models().isEmpty()
                && !declared.models().contains(model)) {
            error(res, GatewayError.notFound("Tenant '" + tenant + "' may not use model '" + model + "'."), requestId);
            return;
        }
        if (tenant == null || declared != null) {
            send(res, 200, routeJson(config, model, tenant, null, at, deployments));
            return;
        }
        // A tenant created through the admin API: its country is in the store.
        vertx.executeBlocking(() -> state.tenants.tenants().stream()
                        .filter(t -> t.name().equals(tenant))
                        .findFirst())
                .onComplete(ar -> {
                    if (ar.failed()) {
                        internal(res, ar.cause(), requestId);
                    } else if (ar.result().isEmpty()) {
                        error(res, GatewayError.notFound("No tenant '" + tenant + "'."), requestId);
                    } else {
                        send(
                                res,
                                200,
                                routeJson(
                                        config, model, tenant, ar.result().get().country(), at, deployments));
                    }
                });
    }

    private ObjectNode routeJson(
            RuntimeConfig config,
            String model,
            String tenant,
            String storedCountry,
            Instant atParam,
            List<Deployment> deployments) {
        Instant at = atParam != null ? atParam : state.clock.instant();
        ObjectNode out = MAPPER.createObjectNode().put("model", model).put("tenant", tenant);
        out.put("at", at.toString());
        out.put(
                "strategy",
                "priority (equal priorities: weighted random, shown in file order), then deployments with an open"
                        + " circuit breaker last; deployments the compliance policy denies are never tried");
        PolicyGate gate = config.policy();
        // Without a tenant the policy is shown for an anonymous tenant with no attributes.
        TenantProfile profile = gate.tenant(tenant == null ? "" : tenant, storedCountry);
        PolicyDecision decision = gate.decide(
                profile, model, deployments.stream().map(Deployment::id).toList(), at);
        Map<String, dev.tollgate.policy.Verdict> verdicts = new java.util.HashMap<>();
        ArrayNode policy = out.putArray("policy");
        for (dev.tollgate.policy.Verdict v : decision.verdicts()) {
            verdicts.put(v.deployment(), v);
            verdictJson(policy.addObject(), v, model);
        }
        out.put("refused", decision.refused());
        if (decision.refused()) {
            out.put("refusal", decision.refusal(gate.policy().exposeRuleNames()));
        }
        ArrayNode order = out.putArray("try_order");
        ArrayNode candidates = out.putArray("candidates");
        for (RouteHealth.Candidate c : state.health.preview(deployments)) {
            DeploymentHealth.Snapshot h = c.health();
            dev.tollgate.policy.Verdict v = verdicts.get(c.deployment().id());
            if (v.allowed()) {
                order.add(c.deployment().id());
            }
            ObjectNode d = candidates
                    .addObject()
                    .put("deployment", c.deployment().id())
                    .put("provider", c.deployment().provider().name())
                    .put("upstream_model", c.deployment().upstreamModel())
                    .put("region", c.deployment().provider().region())
                    .put("priority", c.deployment().config().priority())
                    .put("weight", c.deployment().config().weight());
            verdictJson(d, v, model);
            d.put("breaker", h.state().name().toLowerCase(java.util.Locale.ROOT))
                    .put("deferred", c.deferred())
                    .put("recent_calls", h.recentCalls())
                    .put("recent_failures", h.recentFailures())
                    .put("consecutive_failures", h.consecutiveFailures());
            if (h.failureRate() >= 0) {
                d.put("failure_rate", h.failureRate() / 100.0);
            } else {
                d.putNull("failure_rate"); // fewer calls than minimum_calls: not judged yet
            }
            if (h.latencyMillis() >= 0) {
                d.put("latency_ms", h.latencyMillis());
            } else {
                d.putNull("latency_ms");
            }
            d.put("opened_at", h.openedAt() == null ? null : h.openedAt().toString());
            ObjectNode kinds = d.putObject("failures");
            h.failures().forEach((k, n) -> kinds.put(k.name().toLowerCase(java.util.Locale.ROOT), n));
        }
        return out;
    }

    private static void verdictJson(ObjectNode out, dev.tollgate.policy.Verdict v, String model) {
        out.put("deployment", v.deployment())
                .put("allowed", v.allowed())
                .put("effect", v.effect().word())
                .put("rule", v.rule())
                .put("decided_by", v.decidedBy(model))
                .put("reason", v.reason());
    }

    /**
     * {@code GET /admin/v1/audit?tenant=&since=&limit=}: the policy audit log, oldest first: decisions that denied a
     * deployment (each verdict with its deciding rule) and policy changes (always included, they concern everyone).
     */
    private void auditView(HttpServerRequest req, HttpServerResponse res, String requestId) {
        String tenant = req.getParam("tenant");
        Instant since = instant(req, "since");
        String limitText = req.getParam("limit");
        int limit;
        try {
            limit = limitText == null ? 1000 : Integer.parseInt(limitText);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("'limit' must be a whole number from 1 to 10000.");
        }
        AuditQuery query = new AuditQuery(tenant == null || tenant.isBlank() ? null : tenant, since, limit);
        AuditTrail trail = state.policy.audit();
        Future<Void> flushed = trail == null ? Future.succeededFuture() : Future.fromCompletionStage(trail.flush());
        // Everything decided before this call is in the answer.
        flushed.compose(v -> vertx.executeBlocking(() -> store.audit(query))).onComplete(ar -> {
            if (ar.failed()) {
                internal(res, ar.cause(), requestId);
                return;
            }
            ArrayNode list = MAPPER.createArrayNode();
            for (AuditRecord r : ar.result()) {
                ObjectNode o = list.addObject()
                        .put("time", r.time().toString())
                        .put("kind", r.kind().wire())
                        .put("outcome", r.outcome())
                        .put("request_id", r.requestId())
                        .put("tenant", r.tenant())
                        .put("model", r.model());
                try {
                    o.set("detail", MAPPER.readTree(r.detail()));
                } catch (java.io.IOException e) {
                    o.put("detail", r.detail());
                }
            }
            send(res, 200, MAPPER.createObjectNode().set("data", list));
        });
    }

    private static Instant instant(HttpServerRequest req, String param) {
        String value = req.getParam(param);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "'" + param + "' must be an ISO-8601 instant such as 2026-11-01T00:00:00Z.");
        }
    }

    private static ObjectNode usageJson(UsageSummary s) {
        ObjectNode out = MAPPER.createObjectNode()
                .put("tenant", s.tenant())
                .put("requests", s.requests())
                .put("prompt_tokens", s.promptTokens())
                .put("completion_tokens", s.completionTokens())
                .put("total_tokens", s.promptTokens() + s.completionTokens())
                .put("cached_tokens", s.cachedTokens())
                .put("reasoning_tokens", s.reasoningTokens())
                .put("estimated_requests", s.estimatedRequests());
        ObjectNode statuses = out.putObject("by_status");
        s.byStatus().forEach(statuses::put);
        costJson(out.putObject("cost"), s.costMicros());
        ObjectNode models = out.putObject("by_model");
        s.byModel().forEach((model, t) -> {
            ObjectNode m = models.putObject(model)
                    .put("requests", t.requests())
                    .put("prompt_tokens", t.promptTokens())
                    .put("completion_tokens", t.completionTokens());
            costJson(m.putObject("cost"), t.costMicros());
        });
        return out;
    }

    /**
     * Costs per currency as decimal strings at the ledger scale ({@code "USD": "0.001250"}): a string, because a JSON
     * number is read as a binary double by most clients.
     */
    private static void costJson(ObjectNode out, Map<String, Long> micros) {
        micros.forEach((currency, amount) ->
                out.put(currency, java.math.BigDecimal.valueOf(amount, 6).toPlainString()));
    }

    private static ObjectNode keysJson(List<StoredKey> keys) {
        ArrayNode list = MAPPER.createArrayNode();
        keys.forEach(k -> list.add(keyJson(k)));
        return MAPPER.createObjectNode().set("data", list);
    }

    private static ObjectNode keyJson(StoredKey k) {
        ObjectNode out = MAPPER.createObjectNode()
                .put("id", k.id())
                .put("tenant", k.tenant())
                .put("name", k.name())
                .put("prefix", k.prefix())
                .put("created_at", k.createdAt().toString())
                .put("revoked_at", k.revokedAt() == null ? null : k.revokedAt().toString());
        if (k.project() != null) {
            out.put("project", k.project());
        }
        ArrayNode models = out.putArray("models");
        k.models().forEach(models::add);
        return out;
    }

    private static ObjectNode createdKeyJson(CreatedKey created) {
        ObjectNode out = keyJson(created.stored());
        out.put("key", created.key());
        out.put("note", "Store this key now: Tollgate keeps only its hash and cannot show it again.");
        return out;
    }

    private boolean authorized(HttpServerRequest req) {
        String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        byte[] expected = state.config().config().admin().token().value().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected);
    }

    private void blocking(HttpServerResponse res, String requestId, Callable<JsonNode> work, int status) {
        vertx.executeBlocking(work).onComplete(ar -> {
            if (ar.succeeded()) {
                send(res, status, ar.result());
            } else if (ar.cause() instanceof IllegalArgumentException e) {
                error(
                        res,
                        e instanceof UnknownNameException
                                ? GatewayError.notFound(e.getMessage())
                                : GatewayError.invalid(e.getMessage(), null),
                        requestId);
            } else {
                internal(res, ar.cause(), requestId);
            }
        });
    }

    private static JsonNode json(Buffer body) {
        try {
            JsonNode node = MAPPER.readTree(body.getBytes());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("The body must be a JSON object.");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("The body is not valid JSON.");
        }
    }

    private static String required(JsonNode json, String field) {
        String value = json.path(field).asText(null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Missing required field '" + field + "'.");
        }
        return value;
    }

    private static void send(HttpServerResponse res, int status, JsonNode body) {
        try {
            res.setStatusCode(status)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(Buffer.buffer(MAPPER.writeValueAsBytes(body)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void error(HttpServerResponse res, GatewayError error, String requestId) {
        ApiErrors.send(res, error, requestId);
    }

    private static void internal(HttpServerResponse res, Throwable cause, String requestId) {
        org.slf4j.LoggerFactory.getLogger(AdminServer.class).error("{} admin request failed", requestId, cause);
        error(
                res,
                new GatewayError(
                        500,
                        GatewayError.Kind.INTERNAL,
                        "internal_error",
                        null,
                        "The admin request failed; see the gateway log for request " + requestId + ".",
                        0),
                requestId);
    }
}
