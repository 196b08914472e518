package dev.tollgate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.admit.Budget;
import dev.tollgate.admit.BudgetSetting;
import dev.tollgate.admit.CreditStore;
import dev.tollgate.admit.Credits;
import dev.tollgate.admit.Grant;
import dev.tollgate.admit.TopUp;
import dev.tollgate.config.ProjectConfig;
import dev.tollgate.config.TenantConfig;
import dev.tollgate.tenant.StoredKey;
import dev.tollgate.tenant.UnknownNameException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The admin routes for credit and budgets: {@code POST /admin/v1/credits} (a grant), {@code POST
 * /admin/v1/credits/topups}, {@code GET /admin/v1/credits?tenant=T}, {@code GET /admin/v1/budgets?tenant=T} and
 * {@code PUT /admin/v1/budgets}. Each runs on a worker thread; a change is written to the store first and applied in
 * memory after, so what the gateway enforces is always in the store.
 */
final class CreditsAdmin {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final GatewayState state;
    private final CreditStore store;

    /** What a route does (on a worker thread) and the status of its success. */
    record Work(Callable<JsonNode> call, int status) {}

    CreditsAdmin(GatewayState state, CreditStore store) {
        this.state = state;
        this.store = store;
    }

    static boolean owns(String path) {
        return path.equals("/admin/v1/credits")
                || path.equals("/admin/v1/credits/topups")
                || path.equals("/admin/v1/budgets");
    }

    /** The route's work, or null when the method is not one of the path's. */
    Work work(String method, String path, Function<String, String> params, JsonNode body) {
        return switch (method + " " + path) {
            case "POST /admin/v1/credits" -> new Work(() -> grant(body), 201);
            case "POST /admin/v1/credits/topups" -> new Work(() -> topUp(body), 201);
            case "GET /admin/v1/credits" -> new Work(() -> credits(tenantParam(params)), 200);
            case "GET /admin/v1/budgets" -> new Work(() -> budgets(tenantParam(params)), 200);
            case "PUT /admin/v1/budgets" -> new Work(() -> setBudgets(body), 200);
            default -> null;
        };
    }

    private static String tenantParam(Function<String, String> params) {
        String tenant = params.apply("tenant");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("Query parameter 'tenant' is required.");
        }
        return tenant;
    }

    private JsonNode grant(JsonNode body) throws Exception {
        String tenant = existingTenant(body);
        // The store keeps milliseconds: what is applied in memory must equal what a restart reads back.
        Instant now = state.clock.instant().truncatedTo(ChronoUnit.MILLIS);
        boolean tokens = body.hasNonNull("tokens");
        String currency = null;
        long amount;
        if (tokens) {
            if (body.hasNonNull("amount") || body.hasNonNull("currency")) {
                throw new IllegalArgumentException("Give either 'tokens' or 'amount' with 'currency', not both.");
            }
            JsonNode t = body.get("tokens");
            if (!t.canConvertToExactIntegral() || t.asLong() <= 0) {
                throw new IllegalArgumentException("'tokens' must be a whole number above 0.");
            }
            amount = t.asLong();
        } else {
            currency = currency(body);
            amount = micros(body, "amount");
        }
        Set<String> models = new LinkedHashSet<>();
        body.path("models").forEach(m -> models.add(m.asText()));
        for (String m : models) {
            if (!state.config().config().models().containsKey(m)) {
                throw new UnknownNameException("unknown model '" + m + "'");
            }
        }
        String priority = body.path("priority").asText("promotional").toUpperCase(Locale.ROOT);
        Grant.Priority p;
        try {
            p = Grant.Priority.valueOf(priority);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'priority' must be promotional or paid.");
        }
        Instant expires = null;
        if (body.hasNonNull("expires_at")) {
            expires = instant(body.get("expires_at").asText(), "expires_at").truncatedTo(ChronoUnit.MILLIS);
        } else if (body.hasNonNull("valid_days")) {
            long days = body.get("valid_days").asLong(0);
            if (days <= 0) {
                throw new IllegalArgumentException("'valid_days' must be a whole number above 0.");
            }
            expires = now.plus(Duration.ofDays(days));
        }
        if (expires != null && !expires.isAfter(now)) {
            throw new IllegalArgumentException("'expires_at' must be in the future.");
        }
        Grant grant = new Grant(
                id(body, "grant_"),
                tenant,
                currency,
                amount,
                models,
                p,
                expires,
                now,
                body.path("reason").asText(null));
        store.insertGrant(grant);
        state.credits.grant(grant);
        return credits(tenant).put("granted", grant.id());
    }

    private JsonNode topUp(JsonNode body) throws Exception {
        String tenant = existingTenant(body);
        TopUp topUp = new TopUp(
                id(body, "topup_"),
                tenant,
                currency(body),
                micros(body, "amount"),
                state.clock.instant().truncatedTo(ChronoUnit.MILLIS),
                body.path("reference").asText(null));
        store.insertTopUp(topUp);
        state.credits.topUp(topUp);
        return credits(tenant).put("topped_up", topUp.id());
    }

    /** The tenant's grants and balances in the order they are used, with what is left of each. */
    private ObjectNode credits(String tenant) throws Exception {
        TenantConfig declared = state.config().config().tenants().get(tenant);
        if (declared == null && !state.tenants.exists(tenant)) {
            throw new UnknownNameException("unknown tenant '" + tenant + "'");
        }
        Instant now = state.clock.instant();
        ObjectNode out = MAPPER.createObjectNode()
                .put("tenant", tenant)
                .put("payment", declared != null && declared.prepaid() ? "prepaid" : "postpaid");
        ArrayNode list = out.putArray("data");
        ObjectNode available = MAPPER.createObjectNode();
        for (Credits.Source s : state.credits.sources(tenant)) {
            boolean expired = s.expiresAt() != null && !now.isBefore(s.expiresAt());
            String unit = s.currency() == null ? "tokens" : s.currency();
            ObjectNode o = list.addObject()
                    .put("id", s.id())
                    .put("kind", s.kind())
                    .put("unit", unit)
                    .put("amount", amount(s.amount(), s.currency()))
                    .put("used", amount(s.used(), s.currency()))
                    .put("held", amount(s.held(), s.currency()))
                    .put("remaining", amount(s.remaining(), s.currency()))
                    .put(
                            "priority",
                            s.priority() == null
                                    ? "balance"
                                    : s.priority().name().toLowerCase(Locale.ROOT))
                    .put(
                            "expires_at",
                            s.expiresAt() == null ? null : s.expiresAt().toString())
                    .put("expired", expired)
                    .put("created_at", s.createdAt().toString())
                    .put("reason", s.reason());
            ArrayNode models = o.putArray("models");
            s.models().stream().sorted().forEach(models::add);
            if (!expired) {
                long left = s.remaining() - s.held();
                long before = available.has(unit) ? raw(available.get(unit).asText(), s.currency()) : 0;
                available.put(unit, amount(before + left, s.currency()));
            }
        }
        out.set("available", available);
        return out;
    }

    private JsonNode budgets(String tenant) throws Exception {
        TenantConfig declared = state.config().config().tenants().get(tenant);
        if (declared == null && !state.tenants.exists(tenant)) {
            throw new UnknownNameException("unknown tenant '" + tenant + "'");
        }
        ObjectNode out = MAPPER.createObjectNode().put("tenant", tenant);
        ArrayNode scopes = out.putArray("data");
        List<Budget> tenantConfigured =
                declared == null ? List.of() : declared.budgets().tenant();
        scope(scopes, tenant, "tenant", tenant, "tenant", tenant, tenantConfigured);
        Set<String> projects = new LinkedHashSet<>();
        if (declared != null) {
            projects.addAll(declared.projects().keySet());
        }
        List<StoredKey> keys = state.tenants.keys(tenant);
        keys.forEach(k -> {
            if (k.project() != null) {
                projects.add(k.project());
            }
        });
        state.budgetSettings.settings(tenant).forEach(s -> {
            if (s.scope().equals("project")) {
                projects.add(s.name());
            }
        });
        for (String p : projects) {
            ProjectConfig pc = declared == null ? null : declared.projects().get(p);
            scope(scopes, tenant, "project", p, "project", tenant + "/" + p, pc == null ? List.of() : pc.budgets());
        }
        List<Budget> eachKey = declared == null ? List.of() : declared.budgets().eachKey();
        for (StoredKey k : keys) {
            if (!k.revoked()) {
                scope(scopes, tenant, "key", k.id(), "key", k.id(), eachKey);
            }
        }
        return out;
    }

    private void scope(
            ArrayNode scopes,
            String tenant,
            String scope,
            String name,
            String counterKind,
            String counterName,
            List<Budget> configured) {
        List<Budget> effective = state.budgetSettings.effective(tenant, scope, name, configured);
        if (effective.isEmpty() && configured.isEmpty()) {
            return;
        }
        ObjectNode o = scopes.addObject()
                .put("scope", scope)
                .put("name", name)
                .put("source", effective == configured ? "configuration" : "admin");
        ArrayNode list = o.putArray("budgets");
        for (Budget b : effective) {
            long committed = state.spending.committed(counterKind, counterName, b);
            list.addObject()
                    .put("period", b.period().name().toLowerCase(Locale.ROOT))
                    .put("limit", decimal(b.limitMicros()))
                    .put("currency", b.currency())
                    .put("hard", b.hard())
                    .put("spent_or_reserved", decimal(committed))
                    .put("remaining", decimal(Math.max(0, b.limitMicros() - committed)));
        }
    }

    private JsonNode setBudgets(JsonNode body) throws Exception {
        String tenant = existingTenant(body);
        String scope = body.path("scope").asText("tenant");
        String name = switch (scope) {
            case "tenant" -> tenant;
            case "project", "key" -> {
                String n = body.path("name").asText(null);
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException("Missing required field 'name' (the " + scope + ").");
                }
                yield n;
            }
            default -> throw new IllegalArgumentException("'scope' must be tenant, project or key.");
        };
        JsonNode list = body.path("budgets");
        if (!list.isArray()) {
            throw new IllegalArgumentException(
                    "'budgets' must be a list of {period, limit, currency, hard} (empty: no budgets).");
        }
        List<Budget> budgets = new ArrayList<>();
        for (JsonNode b : list) {
            Budget.Period period;
            try {
                period = Budget.Period.valueOf(b.path("period").asText("").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'period' must be daily, monthly or total.");
            }
            budgets.add(new Budget(
                    period, micros(b, "limit"), currency(b), b.path("hard").asBoolean(true)));
        }
        BudgetSetting setting = new BudgetSetting(tenant, scope, name, budgets, state.clock.instant());
        store.insertBudgetSetting(setting);
        state.budgetSettings.apply(setting);
        return budgets(tenant);
    }

    private String existingTenant(JsonNode body) throws Exception {
        if (body == null) {
            throw new IllegalArgumentException("The body must be a JSON object.");
        }
        String tenant = body.path("tenant").asText(null);
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("Missing required field 'tenant'.");
        }
        if (!state.config().config().tenants().containsKey(tenant) && !state.tenants.exists(tenant)) {
            throw new UnknownNameException("unknown tenant '" + tenant + "'");
        }
        return tenant;
    }

    private static String id(JsonNode body, String prefix) {
        String id = body.path("id").asText(null);
        if (id == null) {
            byte[] b = new byte[8];
            ThreadLocalRandom.current().nextBytes(b);
            return prefix + HexFormat.of().formatHex(b);
        }
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("'id' must be 1-128 letters, digits, '.', '_', ':' or '-'.");
        }
        return id;
    }

    private static String currency(JsonNode body) {
        String c = body.path("currency").asText(null);
        if (c == null || !CURRENCY.matcher(c).matches()) {
            throw new IllegalArgumentException("'currency' must be an ISO 4217 code such as USD.");
        }
        return c;
    }

    /** A positive decimal amount (a JSON number or a string, at most 6 decimals) in micro-units. */
    static long micros(JsonNode body, String field) {
        JsonNode n = body.get(field);
        BigDecimal value;
        try {
            value = n == null || n.isNull() ? null : n.isNumber() ? n.decimalValue() : new BigDecimal(n.asText());
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null || value.signum() <= 0 || value.stripTrailingZeros().scale() > 6) {
            throw new IllegalArgumentException(
                    "'" + field + "' must be an amount above 0 with at most 6 decimals, e.g. \"25.50\".");
        }
        return value.movePointRight(6).longValueExact();
    }

    private static Instant instant(String text, String field) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + field + "' must be an instant such as 2026-12-31T00:00:00Z.");
        }
    }

    private static String amount(long value, String currency) {
        return currency == null ? Long.toString(value) : decimal(value);
    }

    private static long raw(String text, String currency) {
        return currency == null
                ? Long.parseLong(text)
                : new BigDecimal(text).movePointRight(6).longValueExact();
    }

    private static String decimal(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
