package dev.tollgate.config;

import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.admit.Budget;
import dev.tollgate.admit.RateLimit;
import dev.tollgate.admit.TenantBudgets;
import dev.tollgate.admit.TenantLimits;
import dev.tollgate.config.YamlTree.Entry;
import dev.tollgate.config.YamlTree.Mapping;
import dev.tollgate.config.YamlTree.Node;
import dev.tollgate.config.YamlTree.Scalar;
import dev.tollgate.config.YamlTree.Sequence;
import dev.tollgate.guard.Action;
import dev.tollgate.guard.GuardPolicy;
import dev.tollgate.guard.Verdict;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.TenantAttributes;
import dev.tollgate.price.Price;
import dev.tollgate.price.PriceCatalogue;
import dev.tollgate.settle.Agreement;
import dev.tollgate.settle.Amendment;
import dev.tollgate.settle.Money;
import dev.tollgate.settle.Party;
import dev.tollgate.settle.RevenueBase;
import dev.tollgate.settle.SettlementTerms;
import dev.tollgate.wire.openai.VendorProfile;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Maps the located YAML tree onto the configuration records, checking everything on the way. It never stops at the
 * first problem, and it never puts a value into a message unless the value is an identifier (a provider or model
 * name, a type, a country): anything else may be or contain a secret.
 */
final class ConfigBinder {
    static final String DEFAULT_STORE = "./data/tollgate.db";

    private static final List<String> TOP = List.of(
            "listen",
            "admin",
            "store",
            "providers",
            "models",
            "tenants",
            "limits",
            "timeouts",
            "routing",
            "prices",
            "guard",
            "settlement",
            "policy");
    private static final List<String> ADMIN = List.of("listen", "token");
    private static final List<String> PROVIDER = List.of(
            "type",
            "base_url",
            "api_key",
            "region",
            "headers",
            "max_tokens_default",
            "max_tokens_limit",
            "drop_unsupported",
            "project",
            "location",
            "access_token",
            "access_key_id",
            "secret_access_key",
            "session_token",
            "vendor",
            "auth",
            "api_version",
            "attributes");
    /** Fields that mean something for one provider type only: a typo'd type must not silently ignore them. */
    private static final Map<String, String> TYPE_OF_FIELD = Map.of(
            "project", "gemini",
            "location", "gemini",
            "access_token", "gemini",
            "access_key_id", "bedrock",
            "secret_access_key", "bedrock",
            "session_token", "bedrock",
            "vendor", "openai-compatible",
            "auth", "openai-compatible",
            "api_version", "azure");

    private static final List<String> DEPLOYMENT = List.of("provider", "model", "priority", "weight");
    private static final List<String> TENANT = List.of(
            "country",
            "keys",
            "models",
            "limits",
            "key_limits",
            "guard",
            "budgets",
            "key_budgets",
            "payment",
            "projects",
            "region",
            "tier",
            "sector",
            "ownership",
            "labels");
    private static final List<String> PROJECT = List.of("limits", "budgets");
    private static final List<String> BUDGET = List.of("period", "limit", "currency", "hard");
    private static final List<String> RATE_LIMIT =
            List.of("requests_per_minute", "tokens_per_minute", "concurrent_streams");
    private static final List<String> PRICE = List.of(
            "deployment",
            "currency",
            "effective_from",
            "input_per_million",
            "output_per_million",
            "cached_input_per_million",
            "reasoning_per_million",
            "embedding_per_token");
    private static final List<String> GUARD = List.of("enabled", "queue", "actions", "throttle", "allow");
    private static final List<String> TENANT_GUARD = List.of("actions", "allow");
    private static final List<String> GUARD_THROTTLE = List.of("requests_per_minute");
    private static final List<String> GUARD_VERDICTS = List.of("watch", "suspect", "confirmed");
    private static final List<String> LIMITS =
            List.of("max_body", "max_response", "max_json_depth", "max_image", "private_image_hosts");
    private static final List<String> TIMEOUTS = List.of("connect", "first_byte", "idle", "request", "shutdown_drain");
    private static final List<String> ROUTING =
            List.of("retries", "backoff_base", "breaker", "health_check", "outlier_ejection", "pins");
    private static final List<String> MODEL = List.of("deployments", "fallback", "strategy");
    private static final List<String> HEALTH_CHECK = List.of("interval", "timeout", "path");
    private static final List<String> OUTLIER = List.of("factor", "min_latency");
    private static final List<String> BREAKER =
            List.of("failure_rate", "minimum_calls", "window", "consecutive_failures", "open_for", "half_open_calls");
    private static final Map<String, String> EXAMPLES = Map.of(
            "listen", "listen: 127.0.0.1:8080",
            "providers", "providers: {sim-a: {type: openai, base_url: http://127.0.0.1:19101/v1}}",
            "models", "models: {chat-small: [{provider: sim-a, model: sim-chat}]}",
            "token", "token: ${TOLLGATE_ADMIN_TOKEN}",
            "type", "type: openai",
            "base_url", "base_url: https://api.openai.com/v1",
            "provider", "provider: sim-a",
            "model", "model: gpt-4o-mini");
    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Path source;
    private final Problems problems;
    /** Strategy, fallback and alias of each model written in the mapping form or as an alias; filled by models(). */
    private final Map<String, Routing.ModelRouting> modelRouting = new LinkedHashMap<>();
    /** For the credentials cloud SDKs read from the environment when the file names none (AWS_*, GEMINI_API_KEY). */
    private final Map<String, String> env;
    /** The {@code policy:} section and the policy attributes of tenants and providers (docs/policy.md). */
    private final PolicyBinder policyBinder;

    ConfigBinder(Path source, Problems problems) {
        this(source, problems, Map.of());
    }

    ConfigBinder(Path source, Problems problems, Map<String, String> env) {
        this.source = source;
        this.problems = problems;
        this.env = env;
        this.policyBinder = new PolicyBinder(this, problems);
    }

    /** The configuration, or null when problems were found (they are then in {@code problems}). */
    GatewayConfig bind(Node root) {
        if (!(root instanceof Mapping top)) {
            problems.add(
                    root.at(),
                    "",
                    "the file must be a mapping of key: value lines, starting with listen," + " providers and models");
            return null;
        }
        onlyKeys(top, "", TOP);
        HostPort listen = hostPort(top, "", "listen", true);
        AdminConfig admin = admin(top);
        String store = store(top);
        Map<String, ProviderConfig> providers = providers(top);
        Map<String, List<DeploymentConfig>> models = models(top);
        Map<String, TenantConfig> tenants = tenants(top);
        Limits limits = limits(top);
        Timeouts timeouts = timeouts(top);
        Routing routing = routing(top, models);
        Billing billing = new Billing(new PriceCatalogue(prices(top)));
        GuardPolicy guard = guard(top);
        SettlementTerms settlement = settlement(top);
        Policy policy = policyBinder.policy(top);
        if (!problems.isEmpty()) {
            return null;
        }
        return new GatewayConfig(
                source,
                listen,
                admin,
                store,
                providers,
                models,
                tenants,
                limits,
                timeouts,
                routing,
                billing,
                guard,
                settlement,
                policy);
    }

    private AdminConfig admin(Mapping top) {
        Mapping admin = mapping(value(top, "", "admin", false), "admin");
        if (admin == null) {
            return null; // no admin section: the admin API stays off
        }
        onlyKeys(admin, "admin", ADMIN);
        HostPort listen = hostPort(admin, "admin", "listen", true);
        Secret token = secret(admin, "admin", "token", true);
        return listen == null || token == null ? null : new AdminConfig(listen, token);
    }

    private String store(Mapping top) {
        Scalar store = scalar(top, "", "store", false);
        String text = store == null ? DEFAULT_STORE : store.text();
        if (text.startsWith("jdbc:")) {
            if (!text.startsWith("jdbc:sqlite:") && !text.startsWith("jdbc:postgresql:")) {
                problems.add(
                        store.at(),
                        "store",
                        "unsupported database: use a file path (embedded SQLite), a jdbc:sqlite: URL or a"
                                + " jdbc:postgresql: URL");
                return null;
            }
            return text;
        }
        try {
            if (text.isBlank()) {
                throw new InvalidPathException(text, "empty path");
            }
            // Relative to the file, not the working directory, so the gateway finds its data however it is started.
            return source.toAbsolutePath().getParent().resolve(text).normalize().toString();
        } catch (InvalidPathException e) {
            problems.add(
                    store.at(),
                    "store",
                    "not a usable file path: write a path such as ./data/tollgate.db, or" + " a jdbc: URL");
            return null;
        }
    }

    private Map<String, ProviderConfig> providers(Mapping top) {
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        Mapping all = mapping(value(top, "", "providers", true), "providers");
        if (all == null) {
            return providers;
        }
        if (all.entries().isEmpty()) {
            problems.add(
                    all.at(), "providers", "no providers defined: add at least one, e.g. " + EXAMPLES.get("providers"));
        }
        all.entries().forEach((name, entry) -> {
            String path = "providers." + name;
            Mapping p = mapping(entry.value(), path);
            if (p == null) {
                return;
            }
            onlyKeys(p, path, PROVIDER);
            Scalar type = scalar(p, path, "type", true);
            if (type != null && !ProviderConfig.KNOWN_TYPES.contains(type.text())) {
                problems.add(
                        type.at(),
                        path + ".type",
                        "unknown provider type '" + type.text() + "' (known: " + sorted(ProviderConfig.KNOWN_TYPES)
                                + ")");
            }
            String typeText = type == null ? null : type.text();
            TYPE_OF_FIELD.forEach((field, owner) -> {
                Entry fieldEntry = p.entries().get(field);
                if (fieldEntry != null && typeText != null && !owner.equals(typeText)) {
                    problems.add(
                            fieldEntry.keyAt(),
                            path + "." + field,
                            "only meaningful for type: " + owner + " (this provider is type: " + typeText + ")");
                }
            });
            boolean cloudType = "gemini".equals(typeText) || "bedrock".equals(typeText);
            VendorProfile vendor = "openai-compatible".equals(typeText) ? vendor(p, path) : null;
            // A missing or unknown vendor is one problem, not also a missing base_url.
            boolean vendorUrl = "openai-compatible".equals(typeText);
            URI baseUrl = (cloudType || vendorUrl) && p.entries().get("base_url") == null
                    ? (vendor != null ? vendor.defaultBaseUrl() : null)
                    : url(p, path, "base_url");
            Secret apiKey = secret(p, path, "api_key", false);
            Scalar region = scalar(p, path, "region", false);
            Map<String, String> headers = headers(p, path);
            int maxTokensDefault = integer(p, path, "max_tokens_default", 1, ProviderConfig.DEFAULT_MAX_TOKENS);
            int maxTokensLimit = integer(p, path, "max_tokens_limit", 0, 0);
            boolean dropUnsupported = flag(p, path, "drop_unsupported");
            String regionText = region == null || region.text().isEmpty() ? null : region.text();
            CloudAccess cloud = null;
            boolean credentialsOk = !"openai-compatible".equals(typeText) || vendor != null;
            boolean jwtAuth = false;
            String apiVersion = null;
            if (vendor != null) {
                if (apiKey == null && vendor.keyRequired()) {
                    problems.add(
                            p.at(),
                            path + ".api_key",
                            "vendor: " + vendor.vendor() + " needs api_key, e.g. api_key: ${"
                                    + vendor.vendor().toUpperCase(Locale.ROOT) + "_API_KEY}");
                    credentialsOk = false;
                }
                Boolean jwt = zhipuAuth(p, path, vendor, apiKey);
                credentialsOk &= jwt != null;
                jwtAuth = Boolean.TRUE.equals(jwt);
            } else if ("azure".equals(typeText) && baseUrl != null) {
                String[] version = {null};
                credentialsOk = azure(p, path, baseUrl, apiKey, headers, version);
                apiVersion = version[0];
            } else if ("gemini".equals(typeText)) {
                GeminiAccess access = gemini(p, path, apiKey, baseUrl);
                credentialsOk = access != null;
                if (access != null) {
                    apiKey = access.apiKey();
                    cloud = access.vertex();
                    baseUrl = access.baseUrl();
                }
            } else if ("bedrock".equals(typeText)) {
                BedrockAccess access = bedrock(p, path, apiKey, regionText, baseUrl);
                credentialsOk = access != null;
                if (access != null) {
                    apiKey = access.apiKey();
                    cloud = access.aws();
                    regionText = access.region();
                    baseUrl = access.baseUrl();
                }
            }
            if (type != null && baseUrl != null && credentialsOk) {
                providers.put(
                        name,
                        new ProviderConfig(
                                name,
                                type.text(),
                                baseUrl,
                                apiKey,
                                regionText,
                                headers,
                                maxTokensDefault,
                                maxTokensLimit,
                                dropUnsupported,
                                cloud,
                                vendor == null ? null : vendor.vendor(),
                                apiVersion,
                                jwtAuth,
                                policyBinder.deploymentAttributes(p, path, "attributes")));
            }
        });
        return providers;
    }

    /** The vendor profile of an {@code openai-compatible} provider; null (with a problem) when missing or unknown. */
    private VendorProfile vendor(Mapping p, String path) {
        Scalar vendor = scalar(p, path, "vendor", false);
        if (vendor == null) {
            problems.add(
                    p.at(),
                    path + ".vendor",
                    "type: openai-compatible needs vendor: one of " + VendorProfile.vendorNames()
                            + " (for any other OpenAI-shaped endpoint use type: openai)");
            return null;
        }
        VendorProfile profile = VendorProfile.of(vendor.text());
        if (profile == null) {
            problems.add(
                    vendor.at(),
                    path + ".vendor",
                    "unknown vendor '" + vendor.text() + "' (known: " + VendorProfile.vendorNames() + ")");
        }
        return profile;
    }

    /**
     * {@code auth: jwt} (Zhipu only): the {@code id.secret} key signs a short-lived token per the zhipuai SDK; {@code
     * auth: bearer} (the default) sends the key as it is. Null when the setting is wrong.
     */
    private Boolean zhipuAuth(Mapping p, String path, VendorProfile vendor, Secret apiKey) {
        Scalar auth = scalar(p, path, "auth", false);
        if (auth == null || auth.text().equals("bearer")) {
            return false;
        }
        if (!auth.text().equals("jwt")) {
            problems.add(
                    auth.at(), path + ".auth", "must be bearer (the key as it is) or jwt (Zhipu's id.secret form)");
            return null;
        }
        if (!"zhipu".equals(vendor.vendor())) {
            problems.add(auth.at(), path + ".auth", "auth: jwt is only meaningful for vendor: zhipu");
            return null;
        }
        if (apiKey != null && apiKey.value().indexOf('.') <= 0) {
            problems.add(
                    p.entries().get("api_key").keyAt(),
                    path + ".api_key",
                    "auth: jwt needs a Zhipu key of the form id.secret (the value is not shown)");
            return null;
        }
        return true;
    }

    /**
     * Azure OpenAI: a resource URL ({@code https://{resource}.openai.azure.com}, as the AzureOpenAI clients take
     * {@code azure_endpoint}) with {@code api_version} for deployment URLs, or the v1 endpoint ({@code …/openai/v1},
     * as the OpenAI clients take it) without one. The key goes in the {@code api-key} header.
     */
    private boolean azure(
            Mapping p, String path, URI baseUrl, Secret apiKey, Map<String, String> headers, String[] version) {
        Scalar apiVersion = scalar(p, path, "api_version", false);
        String basePath = baseUrl.getPath() == null ? "" : baseUrl.getPath().replaceAll("/+$", "");
        boolean v1 = basePath.endsWith("/openai/v1");
        boolean ok = true;
        if (v1 && apiVersion != null) {
            problems.add(
                    apiVersion.at(),
                    path + ".api_version",
                    "the v1 endpoint (base_url ending in /openai/v1) takes no api_version: remove it");
            ok = false;
        } else if (!v1 && apiVersion == null) {
            problems.add(
                    p.at(),
                    path + ".api_version",
                    "type: azure with a resource URL needs api_version, e.g. api_version: 2024-10-21 (or use the v1"
                            + " endpoint: base_url: https://{resource}.openai.azure.com/openai/v1)");
            ok = false;
        } else if (!v1 && !apiVersion.text().matches("\\d{4}-\\d{2}-\\d{2}(-preview)?|preview|latest")) {
            problems.add(
                    apiVersion.at(),
                    path + ".api_version",
                    "must be a date such as 2024-10-21 (or 2025-04-01-preview)");
            ok = false;
        } else if (!v1 && basePath.contains("/openai")) {
            problems.add(
                    p.entries().get("base_url").value().at(),
                    path + ".base_url",
                    "give the resource URL (https://{resource}.openai.azure.com), without /openai/deployments/…:"
                            + " Tollgate adds the deployment path itself");
            ok = false;
        }
        if (apiKey == null && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("authorization"))) {
            problems.add(
                    p.at(),
                    path + ".api_key",
                    "type: azure needs api_key (sent as the api-key header), or an Entra ID token as headers:"
                            + " {authorization: Bearer …}");
            ok = false;
        }
        version[0] = apiVersion == null ? null : apiVersion.text();
        return ok;
    }

    private record GeminiAccess(Secret apiKey, CloudAccess.Vertex vertex, URI baseUrl) {}

    private record BedrockAccess(Secret apiKey, CloudAccess.Aws aws, String region, URI baseUrl) {}

    /**
     * Google AI (an API key as {@code x-goog-api-key}; from the file, else GEMINI_API_KEY or GOOGLE_API_KEY as the
     * google-genai SDK reads them) or Vertex AI (project + location + an access token). base_url may be left out: it is
     * then the one the SDK uses, {@code https://generativelanguage.googleapis.com} or {@code
     * https://{location}-aiplatform.googleapis.com}.
     */
    private GeminiAccess gemini(Mapping p, String path, Secret apiKey, URI baseUrl) {
        Scalar project = scalar(p, path, "project", false);
        Scalar location = scalar(p, path, "location", false);
        boolean vertex = project != null || location != null || p.entries().get("access_token") != null;
        if (!vertex) {
            Secret key = apiKey != null ? apiKey : fromEnv("GEMINI_API_KEY", "GOOGLE_API_KEY");
            if (key == null) {
                problems.add(
                        p.at(),
                        path + ".api_key",
                        "type: gemini needs a credential: api_key: ${GEMINI_API_KEY} for Google AI, or project,"
                                + " location and access_token for Vertex AI");
                return null;
            }
            return new GeminiAccess(
                    key, null, baseUrl != null ? baseUrl : URI.create("https://generativelanguage.googleapis.com"));
        }
        if (apiKey != null) {
            problems.add(
                    p.entries().get("api_key").keyAt(),
                    path + ".api_key",
                    "Vertex AI (project/location given) takes access_token, not api_key: remove one of them");
            return null;
        }
        boolean ok = true;
        for (String field : List.of("project", "location", "access_token")) {
            if (p.entries().get(field) == null) {
                problems.add(
                        p.at(),
                        path + "." + field,
                        "Vertex AI needs project, location and access_token together; " + field + " is missing");
                ok = false;
            }
        }
        Secret token = secret(p, path, "access_token", false);
        if (!ok || project == null || location == null || token == null) {
            if (ok) {
                problems.add(p.at(), path, "project, location and access_token must not be empty");
            }
            return null;
        }
        String loc = location.text();
        if (!loc.matches("[a-z0-9-]+")) {
            problems.add(location.at(), path + ".location", "must be a Google Cloud location such as us-central1");
            return null;
        }
        URI base = baseUrl != null
                ? baseUrl
                : URI.create(
                        "global".equals(loc)
                                ? "https://aiplatform.googleapis.com"
                                : "https://" + loc + "-aiplatform.googleapis.com");
        return new GeminiAccess(null, new CloudAccess.Vertex(project.text(), loc, token), base);
    }

    /**
     * A Bedrock API key (bearer), or AWS keys for SigV4; each from the file, else from the variables the AWS SDKs read
     * (AWS_BEARER_TOKEN_BEDROCK; AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; AWS_REGION). base_url may be
     * left out: it is then {@code https://bedrock-runtime.{region}.amazonaws.com}.
     */
    private BedrockAccess bedrock(Mapping p, String path, Secret apiKey, String region, URI baseUrl) {
        String signingRegion = region != null ? region : envText("AWS_REGION", "AWS_DEFAULT_REGION");
        if (signingRegion == null) {
            problems.add(p.at(), path + ".region", "type: bedrock needs the AWS region, e.g. region: us-east-1");
            return null;
        }
        if (!signingRegion.matches("[a-z]{2}(-[a-z]+)+-[0-9]+")) {
            Entry entry = p.entries().get("region");
            problems.add(
                    entry == null ? p.at() : entry.value().at(),
                    path + ".region",
                    "must be an AWS region such as us-east-1 (it is part of the SigV4 signature)");
            return null;
        }
        URI base =
                baseUrl != null ? baseUrl : URI.create("https://bedrock-runtime." + signingRegion + ".amazonaws.com");
        Secret keyId = secret(p, path, "access_key_id", false);
        Secret secretKey = secret(p, path, "secret_access_key", false);
        Secret session = secret(p, path, "session_token", false);
        if (apiKey != null && (keyId != null || secretKey != null)) {
            problems.add(
                    p.entries().get("api_key").keyAt(),
                    path + ".api_key",
                    "give either api_key (a Bedrock API key) or access_key_id + secret_access_key, not both");
            return null;
        }
        if (apiKey != null) {
            return new BedrockAccess(apiKey, null, signingRegion, base);
        }
        if (keyId == null && secretKey == null) {
            Secret bearer = fromEnv("AWS_BEARER_TOKEN_BEDROCK");
            if (bearer != null) {
                return new BedrockAccess(bearer, null, signingRegion, base);
            }
            keyId = fromEnv("AWS_ACCESS_KEY_ID");
            secretKey = fromEnv("AWS_SECRET_ACCESS_KEY");
            session = session != null ? session : fromEnv("AWS_SESSION_TOKEN");
            if (keyId == null || secretKey == null) {
                problems.add(
                        p.at(),
                        path + ".access_key_id",
                        "type: bedrock needs a credential: access_key_id and secret_access_key (SigV4), or api_key"
                                + " (a Bedrock API key), in the file or as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or"
                                + " AWS_BEARER_TOKEN_BEDROCK");
                return null;
            }
        } else if (keyId == null || secretKey == null) {
            problems.add(
                    p.at(),
                    path + (keyId == null ? ".access_key_id" : ".secret_access_key"),
                    "access_key_id and secret_access_key go together: add the missing one");
            return null;
        }
        return new BedrockAccess(
                null, new CloudAccess.Aws(signingRegion, keyId, secretKey, session), signingRegion, base);
    }

    private Secret fromEnv(String... names) {
        String value = envText(names);
        return value == null ? null : new Secret(value);
    }

    private String envText(String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    private URI url(Mapping m, String path, String key) {
        Scalar s = scalar(m, path, key, true);
        if (s == null) {
            return null;
        }
        String field = path + "." + key;
        URI uri;
        try {
            uri = new URI(s.text());
        } catch (URISyntaxException e) {
            uri = null;
        }
        String scheme =
                uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            problems.add(
                    s.at(),
                    field,
                    "must be an absolute http:// or https:// URL with a host, e.g."
                            + " https://api.openai.com/v1 (the value is not shown: it may contain credentials)");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            problems.add(
                    s.at(),
                    field,
                    "must not contain credentials (user:password@): put the key in api_key or" + " headers instead");
            return null;
        }
        return uri;
    }

    private Map<String, String> headers(Mapping provider, String providerPath) {
        String path = providerPath + ".headers";
        Map<String, String> headers = new LinkedHashMap<>();
        Mapping m = mapping(value(provider, providerPath, "headers", false), path);
        if (m == null) {
            return headers;
        }
        m.entries().forEach((name, entry) -> {
            if (!HEADER_NAME.matcher(name).matches()) {
                problems.add(
                        entry.keyAt(),
                        path + "." + name,
                        "not a valid HTTP header name: use letters, digits" + " and -");
            }
            // Header values often carry credentials: never quote them back.
            if (entry.value() instanceof Scalar s) {
                headers.put(name, s.isNull() ? "" : s.text());
            } else {
                problems.add(entry.value().at(), path + "." + name, "expected a single value, found " + kind(entry));
            }
        });
        return headers;
    }

    /**
     * {@code models:}: each name maps to a list of deployments, to {@code {deployments, fallback, strategy}}, or (a
     * single name) is an alias of another model. Aliases get the deployments of the model they stand for, so every
     * check that a model exists treats them alike; alias and fallback cycles and unknown names are refused.
     */
    private Map<String, List<DeploymentConfig>> models(Mapping top) {
        Map<String, List<DeploymentConfig>> models = new LinkedHashMap<>();
        Mapping all = mapping(value(top, "", "models", true), "models");
        if (all == null) {
            return models;
        }
        if (all.entries().isEmpty()) {
            problems.add(all.at(), "models", "no models defined: add at least one, e.g. " + EXAMPLES.get("models"));
        }
        // Names, not the validated providers, so a broken provider does not also fail every model that uses it.
        Set<String> providerNames = providerNames(top);
        Set<String> names = all.entries().keySet();
        Map<String, Scalar> aliases = new LinkedHashMap<>();
        Map<String, List<Scalar>> fallbacks = new LinkedHashMap<>();
        all.entries().forEach((name, entry) -> {
            String path = "models." + name;
            Node value = entry.value();
            if (value instanceof Scalar s && !s.isNull()) {
                if (!names.contains(s.text())) {
                    problems.add(
                            s.at(), path, "alias of unknown model '" + s.text() + "' (known: " + sorted(names) + ")");
                } else {
                    aliases.put(name, s);
                }
                return;
            }
            Routing.Strategy strategy = Routing.Strategy.PRIORITY;
            boolean mapped = value instanceof Mapping;
            if (value instanceof Mapping m) {
                onlyKeys(m, path, MODEL);
                strategy = strategy(m, path);
                fallbacks.put(name, fallbackNames(m, path, names));
                value = value(m, path, "deployments", true);
                path = path + ".deployments";
                if (value == null) {
                    return;
                }
            }
            if ((value instanceof Scalar s && s.isNull())
                    || (value instanceof Sequence seq && seq.items().isEmpty())) {
                problems.add(
                        value.at(),
                        path,
                        "no deployments: list at least one, e.g. [{provider: " + first(providerNames, "sim-a")
                                + ", model: gpt-4o-mini}]");
                return;
            }
            List<Node> items = list(value, path);
            List<DeploymentConfig> deployments = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                DeploymentConfig d = deployment(items.get(i), path + "[" + i + "]", providerNames);
                if (d != null) {
                    deployments.add(d);
                }
            }
            deployments.sort(Comparator.comparingInt(DeploymentConfig::priority)); // stable: ties keep file order
            models.put(name, List.copyOf(deployments));
            if (mapped) {
                List<String> fallback = new ArrayList<>();
                for (Scalar f : fallbacks.getOrDefault(name, List.of())) {
                    fallback.add(f.text());
                }
                modelRouting.put(name, new Routing.ModelRouting(null, strategy, fallback));
            }
        });
        Map<String, String> canonical = new HashMap<>();
        aliases.forEach((alias, target) -> {
            List<String> chain = new ArrayList<>(List.of(alias));
            String current = target.text();
            while (aliases.containsKey(current) && !chain.contains(current)) {
                chain.add(current);
                current = aliases.get(current).text();
            }
            if (chain.contains(current)) {
                chain.add(current);
                problems.add(
                        target.at(),
                        "models." + alias,
                        "alias cycle " + String.join(" -> ", chain)
                                + ": an alias must end at a model with deployments");
                return;
            }
            canonical.put(alias, current);
            if (models.containsKey(current)) {
                models.put(alias, models.get(current));
                modelRouting.put(alias, new Routing.ModelRouting(current, Routing.Strategy.PRIORITY, List.of()));
            }
        });
        fallbackCycles(fallbacks, canonical);
        return models;
    }

    private Routing.Strategy strategy(Mapping model, String path) {
        Scalar s = scalar(model, path, "strategy", false);
        if (s == null) {
            return Routing.Strategy.PRIORITY;
        }
        Routing.Strategy strategy = Routing.Strategy.ofYaml(s.text());
        if (strategy == null) {
            List<String> known = new ArrayList<>();
            for (Routing.Strategy k : Routing.Strategy.values()) {
                known.add(k.yaml());
            }
            problems.add(
                    s.at(),
                    path + ".strategy",
                    "unknown strategy '" + s.text() + "': expected one of " + String.join(", ", known));
            return Routing.Strategy.PRIORITY;
        }
        return strategy;
    }

    private List<Scalar> fallbackNames(Mapping model, String path, Set<String> names) {
        List<Scalar> out = new ArrayList<>();
        List<Node> items = list(value(model, path, "fallback", false), path + ".fallback");
        for (int i = 0; i < items.size(); i++) {
            String field = path + ".fallback[" + i + "]";
            if (!(items.get(i) instanceof Scalar s) || s.isNull()) {
                problems.add(items.get(i).at(), field, "expected a model name from models");
                continue;
            }
            if (!names.contains(s.text())) {
                problems.add(s.at(), field, "unknown model '" + s.text() + "' (known: " + sorted(names) + ")");
                continue;
            }
            out.add(s);
        }
        return out;
    }

    /** Refuses a fallback that leads back to its own model (directly, through other fallbacks or an alias). */
    private void fallbackCycles(Map<String, List<Scalar>> fallbacks, Map<String, String> canonical) {
        fallbacks.forEach((model, list) -> {
            for (Scalar f : list) {
                List<String> path = cycleFrom(canonical.getOrDefault(f.text(), f.text()), model, fallbacks, canonical);
                if (path != null) {
                    List<String> chain = new ArrayList<>(List.of(model));
                    chain.addAll(path);
                    problems.add(
                            f.at(),
                            "models." + model + ".fallback",
                            "fallback cycle " + String.join(" -> ", chain) + ": a model cannot fall back to itself");
                }
            }
        });
    }

    /** The fallback path from {@code from} to {@code target} (both ends included), or null when there is none. */
    private static List<String> cycleFrom(
            String from, String target, Map<String, List<Scalar>> fallbacks, Map<String, String> canonical) {
        java.util.ArrayDeque<List<String>> queue = new java.util.ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        queue.add(List.of(from));
        while (!queue.isEmpty()) {
            List<String> path = queue.poll();
            String at = path.get(path.size() - 1);
            if (at.equals(target)) {
                return path;
            }
            if (!seen.add(at)) {
                continue;
            }
            for (Scalar next : fallbacks.getOrDefault(at, List.of())) {
                List<String> longer = new ArrayList<>(path);
                longer.add(canonical.getOrDefault(next.text(), next.text()));
                queue.add(longer);
            }
        }
        return null;
    }

    private DeploymentConfig deployment(Node node, String path, Set<String> providerNames) {
        Mapping d = mapping(node, path);
        if (d == null) {
            return null;
        }
        onlyKeys(d, path, DEPLOYMENT);
        Scalar provider = scalar(d, path, "provider", true);
        if (provider != null && !providerNames.contains(provider.text())) {
            problems.add(
                    provider.at(),
                    path + ".provider",
                    "unknown provider '" + provider.text() + "' (known: " + sorted(providerNames) + ")");
        }
        Scalar model = scalar(d, path, "model", true);
        if (model != null && model.text().isBlank()) {
            problems.add(model.at(), path + ".model", "must not be empty: the model name the provider knows");
        }
        int priority = integer(d, path, "priority", 0, 1);
        int weight = integer(d, path, "weight", 1, 1);
        return provider == null || model == null
                ? null
                : new DeploymentConfig(provider.text(), model.text(), priority, weight);
    }

    private Map<String, TenantConfig> tenants(Mapping top) {
        Map<String, TenantConfig> tenants = new LinkedHashMap<>();
        Mapping all = mapping(value(top, "", "tenants", false), "tenants");
        if (all == null) {
            return tenants;
        }
        Set<String> modelNames = modelNames(top);
        Map<String, KeyOwner> owners = new HashMap<>();
        all.entries().forEach((name, entry) -> {
            String path = "tenants." + name;
            boolean empty = entry.value() instanceof Scalar s && s.isNull();
            Mapping t = empty ? null : mapping(entry.value(), path);
            if (t == null && !empty) {
                return;
            }
            String country = null;
            List<Secret> keys = new ArrayList<>();
            List<String> models = new ArrayList<>();
            TenantLimits limits = TenantLimits.NONE;
            TenantBudgets budgets = TenantBudgets.NONE;
            boolean prepaid = false;
            Map<String, ProjectConfig> projects = Map.of();
            TenantAttributes attributes = TenantAttributes.NONE;
            if (t != null) {
                onlyKeys(t, path, TENANT);
                country = country(t, path);
                keys = keys(t, path, name, owners);
                models = tenantModels(t, path, modelNames);
                limits = new TenantLimits(rateLimit(t, path, "limits"), rateLimit(t, path, "key_limits"));
                budgets = new TenantBudgets(budgets(t, path, "budgets"), budgets(t, path, "key_budgets"));
                prepaid = payment(t, path);
                projects = projects(t, path);
                attributes = policyBinder.tenantAttributes(t, path);
            }
            tenants.put(
                    name,
                    new TenantConfig(name, country, keys, models, limits, budgets, prepaid, projects, attributes));
        });
        return tenants;
    }

    /** {@code payment: prepaid | postpaid} (default postpaid); true for prepaid. */
    private boolean payment(Mapping tenant, String path) {
        Scalar s = scalar(tenant, path, "payment", false);
        if (s == null) {
            return false;
        }
        return switch (s.text()) {
            case "prepaid" -> true;
            case "postpaid" -> false;
            default -> {
                problems.add(s.at(), child(path, "payment"), "must be prepaid or postpaid");
                yield false;
            }
        };
    }

    /** {@code projects:} of a tenant: each with optional {@code limits} and {@code budgets}. */
    private Map<String, ProjectConfig> projects(Mapping tenant, String tenantPath) {
        Mapping all = mapping(value(tenant, tenantPath, "projects", false), child(tenantPath, "projects"));
        if (all == null) {
            return Map.of();
        }
        Map<String, ProjectConfig> projects = new LinkedHashMap<>();
        all.entries().forEach((name, entry) -> {
            String path = child(child(tenantPath, "projects"), name);
            boolean empty = entry.value() instanceof Scalar s && s.isNull();
            Mapping p = empty ? null : mapping(entry.value(), path);
            if (p == null) {
                if (empty) {
                    projects.put(name, ProjectConfig.unlimited(name));
                }
                return;
            }
            onlyKeys(p, path, PROJECT);
            projects.put(name, new ProjectConfig(name, rateLimit(p, path, "limits"), budgets(p, path, "budgets")));
        });
        return projects;
    }

    /** A list of budgets: {@code {period: daily|monthly|total, limit: 100.00, currency: USD, hard: true}}. */
    private List<Budget> budgets(Mapping owner, String ownerPath, String key) {
        String listPath = child(ownerPath, key);
        List<Budget> budgets = new ArrayList<>();
        List<Node> items = list(value(owner, ownerPath, key, false), listPath);
        for (int i = 0; i < items.size(); i++) {
            String path = listPath + "[" + i + "]";
            Mapping b = mapping(items.get(i), path);
            if (b == null) {
                continue;
            }
            onlyKeys(b, path, BUDGET);
            Scalar period = scalar(b, path, "period", true);
            Budget.Period p = null;
            if (period != null) {
                switch (period.text()) {
                    case "daily" -> p = Budget.Period.DAILY;
                    case "monthly" -> p = Budget.Period.MONTHLY;
                    case "total" -> p = Budget.Period.TOTAL;
                    default -> problems.add(period.at(), child(path, "period"), "must be daily, monthly or total");
                }
            }
            Currency currency = currency(b, path);
            BigDecimal limit = decimal(b, path, "limit");
            if (limit == null && b.entries().get("limit") == null) {
                problems.add(b.at(), child(path, "limit"), "required field is missing: add it, e.g. limit: 100.00");
            }
            long micros = 0;
            if (limit != null) {
                if (limit.scale() > 6 || limit.signum() <= 0) {
                    problems.add(
                            b.entries().get("limit").value().at(),
                            child(path, "limit"),
                            "must be a positive amount with at most 6 decimals");
                    limit = null;
                } else {
                    micros = limit.movePointRight(6).longValueExact();
                }
            }
            boolean hard = b.entries().get("hard") == null || flag(b, path, "hard");
            if (p != null && currency != null && limit != null) {
                budgets.add(new Budget(p, micros, currency.getCurrencyCode(), hard));
            }
        }
        return budgets;
    }

    /** {@code limits:} or {@code key_limits:} of a tenant; an absent dimension is not limited. */
    private RateLimit rateLimit(Mapping tenant, String tenantPath, String key) {
        Mapping m = mapping(value(tenant, tenantPath, key, false), child(tenantPath, key));
        if (m == null) {
            return RateLimit.NONE;
        }
        String path = child(tenantPath, key);
        onlyKeys(m, path, RATE_LIMIT);
        return new RateLimit(
                integer(m, path, "requests_per_minute", 1, 0),
                integer(m, path, "tokens_per_minute", 1, 0),
                integer(m, path, "concurrent_streams", 1, 0));
    }

    private String country(Mapping tenant, String path) {
        Scalar country = scalar(tenant, path, "country", false);
        if (country == null) {
            return null;
        }
        String text = country.text();
        if (!COUNTRY.matcher(text).matches()) {
            String upper = text.toUpperCase(Locale.ROOT);
            problems.add(
                    country.at(),
                    path + ".country",
                    "'" + text + "' is not an ISO 3166 alpha-2 country code:"
                            + (COUNTRY.matcher(upper).matches()
                                    ? " write '" + upper + "'"
                                    : " write two capital letters, e.g." + " DE"));
        }
        return text;
    }

    private record KeyOwner(String tenant, Position at) {}

    private List<Secret> keys(Mapping tenant, String path, String name, Map<String, KeyOwner> owners) {
        List<Secret> keys = new ArrayList<>();
        List<Node> items = list(value(tenant, path, "keys", false), path + ".keys");
        for (int i = 0; i < items.size(); i++) {
            String field = path + ".keys[" + i + "]";
            if (!(items.get(i) instanceof Scalar s) || s.isNull() || s.text().isEmpty()) {
                problems.add(items.get(i).at(), field, "expected a non-empty key, usually an ${ENV_VAR} reference");
                continue;
            }
            KeyOwner previous = owners.putIfAbsent(s.text(), new KeyOwner(name, s.at()));
            if (previous != null) {
                problems.add(
                        s.at(),
                        field,
                        "this key is already given to tenant '" + previous.tenant() + "' at line "
                                + previous.at().line() + ": a key must identify exactly one tenant");
                continue;
            }
            keys.add(new Secret(s.text()));
        }
        return keys;
    }

    private List<String> tenantModels(Mapping tenant, String path, Set<String> modelNames) {
        List<String> models = new ArrayList<>();
        List<Node> items = list(value(tenant, path, "models", false), path + ".models");
        for (int i = 0; i < items.size(); i++) {
            String field = path + ".models[" + i + "]";
            if (!(items.get(i) instanceof Scalar s) || s.isNull()) {
                problems.add(items.get(i).at(), field, "expected a model name from models");
                continue;
            }
            if (!modelNames.contains(s.text())) {
                problems.add(s.at(), field, "unknown model '" + s.text() + "' (known: " + sorted(modelNames) + ")");
            }
            models.add(s.text());
        }
        return models;
    }

    /**
     * {@code prices:}: per client-facing model, a list of prices (or a single one), each optionally limited to one of
     * the model's deployments. Amounts are read from the file's text as decimals, never through a binary double.
     */
    private List<Price> prices(Mapping top) {
        List<Price> prices = new ArrayList<>();
        Mapping all = mapping(value(top, "", "prices", false), "prices");
        if (all == null) {
            return prices;
        }
        Map<String, Set<String>> deploymentIds = deploymentIds(top);
        all.entries().forEach((model, entry) -> {
            String path = "prices." + model;
            if (!deploymentIds.containsKey(model)) {
                problems.add(
                        entry.keyAt(),
                        path,
                        "unknown model '" + model + "' (known: " + sorted(deploymentIds.keySet()) + ")");
                return;
            }
            List<Node> items = entry.value() instanceof Mapping single ? List.of(single) : list(entry.value(), path);
            Map<String, Position> seen = new HashMap<>();
            for (int i = 0; i < items.size(); i++) {
                String itemPath = entry.value() instanceof Mapping ? path : path + "[" + i + "]";
                Price p = price(items.get(i), itemPath, model, deploymentIds.get(model));
                if (p == null) {
                    continue;
                }
                String identity = p.deployment() + "@" + p.effectiveFrom();
                Position previous = seen.putIfAbsent(identity, items.get(i).at());
                if (previous != null) {
                    problems.add(
                            items.get(i).at(),
                            itemPath,
                            "a second price for the same deployment and effective_from as the one at line "
                                    + previous.line() + ": change its effective_from or remove one");
                    continue;
                }
                prices.add(p);
            }
        });
        return prices;
    }

    private Price price(Node node, String path, String model, Set<String> deployments) {
        Mapping m = mapping(node, path);
        if (m == null) {
            return null;
        }
        onlyKeys(m, path, PRICE);
        Scalar deployment = scalar(m, path, "deployment", false);
        if (deployment != null && !deployments.contains(deployment.text())) {
            problems.add(
                    deployment.at(),
                    path + ".deployment",
                    "model '" + model + "' has no deployment '" + deployment.text() + "' (its deployments: "
                            + sorted(deployments) + ")");
        }
        Currency currency = currency(m, path);
        LocalDate from = date(m, path, "effective_from", LocalDate.EPOCH);
        BigDecimal input = decimal(m, path, "input_per_million");
        BigDecimal output = decimal(m, path, "output_per_million");
        BigDecimal cached = decimal(m, path, "cached_input_per_million");
        BigDecimal reasoning = decimal(m, path, "reasoning_per_million");
        BigDecimal embedding = decimal(m, path, "embedding_per_token");
        if (!m.entries().containsKey("input_per_million")
                && !m.entries().containsKey("output_per_million")
                && !m.entries().containsKey("embedding_per_token")) {
            problems.add(
                    m.at(),
                    path,
                    "no price given: add input_per_million and output_per_million (or embedding_per_token), e.g."
                            + " input_per_million: 0.15");
        }
        if (currency == null || from == null) {
            return null;
        }
        return new Price(
                model,
                deployment == null ? null : deployment.text(),
                currency,
                from,
                input,
                output,
                cached,
                reasoning,
                embedding);
    }

    private Currency currency(Mapping m, String path) {
        Scalar s = scalar(m, path, "currency", true);
        if (s == null) {
            return null;
        }
        try {
            if (!s.text().matches("[A-Z]{3}")) {
                throw new IllegalArgumentException();
            }
            return Currency.getInstance(s.text());
        } catch (IllegalArgumentException e) {
            problems.add(
                    s.at(), path + ".currency", "'" + s.text() + "' is not an ISO 4217 currency code: write e.g. USD");
            return null;
        }
    }

    private LocalDate date(Mapping m, String path, String key, LocalDate fallback) {
        Scalar s = scalar(m, path, key, false);
        if (s == null) {
            return fallback;
        }
        try {
            return LocalDate.parse(s.text());
        } catch (DateTimeParseException e) {
            problems.add(
                    s.at(), child(path, key), "'" + s.text() + "' is not a date: write YYYY-MM-DD, e.g. 2026-01-01");
            return null;
        }
    }

    /** A non-negative decimal, exactly as written; null when absent or invalid (then a problem is reported). */
    private BigDecimal decimal(Mapping m, String path, String key) {
        Scalar s = scalar(m, path, key, false);
        if (s == null) {
            return null;
        }
        String field = child(path, key);
        if (s.token() != JsonToken.VALUE_NUMBER_INT && s.token() != JsonToken.VALUE_NUMBER_FLOAT) {
            problems.add(s.at(), field, "expected a decimal amount, e.g. " + key + ": 0.15");
            return null;
        }
        try {
            BigDecimal value = new BigDecimal(s.text().replace("_", ""));
            if (value.signum() >= 0) {
                return value.stripTrailingZeros();
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(s.at(), field, "must be a decimal amount of at least 0, e.g. " + key + ": 0.15");
        return null;
    }

    private static final List<String> SETTLEMENT = List.of("currency", "parties", "agreements");
    private static final List<String> PARTY = List.of("role");
    private static final List<String> AGREEMENT =
            List.of("payer", "payee", "revenue_base", "rate", "cap", "start", "end", "amendments");
    private static final List<String> REVENUE_BASE =
            List.of("models", "deployments", "providers", "regions", "tenants");
    private static final List<String> AMENDMENT = List.of("effective_from", "rate", "cap", "ends");

    /**
     * {@code settlement:}: the currency settled, the parties and the agreements between them (docs/billing.md). Each
     * agreement is one direction, payer to payee; names in a revenue base are checked against the file's models,
     * providers and deployments, so a typo cannot silently shrink a base to nothing.
     */
    private SettlementTerms settlement(Mapping top) {
        Mapping m = mapping(value(top, "", "settlement", false), "settlement");
        if (m == null) {
            return SettlementTerms.NONE;
        }
        onlyKeys(m, "settlement", SETTLEMENT);
        Currency currency =
                m.entries().containsKey("currency") ? currency(m, "settlement") : Currency.getInstance("USD");
        Map<String, Party> parties = new LinkedHashMap<>();
        Mapping ps = mapping(value(m, "settlement", "parties", false), "settlement.parties");
        if (ps != null) {
            ps.entries().forEach((name, entry) -> {
                String path = "settlement.parties." + name;
                Mapping p = mapping(entry.value(), path);
                if (p == null) {
                    return;
                }
                onlyKeys(p, path, PARTY);
                Scalar role = scalar(p, path, "role", true);
                if (name.contains(":") || name.isBlank()) {
                    problems.add(entry.keyAt(), path, "a party name cannot contain ':' (it names ledger accounts)");
                    return;
                }
                if (role == null) {
                    return;
                }
                try {
                    parties.put(
                            name, new Party(name, Party.Role.valueOf(role.text().toUpperCase(Locale.ROOT))));
                } catch (IllegalArgumentException e) {
                    problems.add(
                            role.at(),
                            path + ".role",
                            "unknown role '" + role.text()
                                    + "': expected one of model_owner, distributor, cloud, reseller, platform");
                }
            });
        }
        List<Agreement> agreements = new ArrayList<>();
        Mapping as = mapping(value(m, "settlement", "agreements", false), "settlement.agreements");
        if (as != null && currency != null) {
            as.entries().forEach((id, entry) -> {
                Agreement a = agreement(top, id, entry, parties, currency);
                if (a != null) {
                    agreements.add(a);
                }
            });
        }
        if (currency == null) {
            return null;
        }
        return new SettlementTerms(currency, parties, agreements);
    }

    private Agreement agreement(Mapping top, String id, Entry entry, Map<String, Party> parties, Currency currency) {
        String path = "settlement.agreements." + id;
        Mapping a = mapping(entry.value(), path);
        if (a == null) {
            return null;
        }
        onlyKeys(a, path, AGREEMENT);
        Party payer = party(a, path, "payer", parties);
        Party payee = party(a, path, "payee", parties);
        RevenueBase base = revenueBase(top, a, path);
        BigDecimal rate = rate(a, path, true);
        Optional<Money> cap = cap(a, path, currency);
        Instant start = instant(a, path, "start", true);
        Instant end = instant(a, path, "end", true);
        List<Amendment> amendments = new ArrayList<>();
        List<Node> items = list(value(a, path, "amendments", false), path + ".amendments");
        for (int i = 0; i < items.size(); i++) {
            Amendment am = amendment(items.get(i), path + ".amendments[" + i + "]", currency);
            if (am != null) {
                amendments.add(am);
            }
        }
        if (payer == null
                || payee == null
                || base == null
                || rate == null
                || cap == null
                || start == null
                || end == null
                || amendments.size() != items.size()) {
            return null;
        }
        if (payer.equals(payee)) {
            problems.add(a.at(), path, "payer and payee are the same party: an agreement is between two parties");
            return null;
        }
        if (!start.isBefore(end)) {
            problems.add(a.at(), path + ".end", "the term must end after it starts (end is exclusive)");
            return null;
        }
        return new Agreement(id, payer, payee, base, rate, cap, start, end, amendments);
    }

    private Party party(Mapping a, String path, String key, Map<String, Party> parties) {
        Scalar s = scalar(a, path, key, true);
        if (s == null) {
            return null;
        }
        Party p = parties.get(s.text());
        if (p == null) {
            problems.add(
                    s.at(),
                    child(path, key),
                    "unknown party '" + s.text() + "' (known: " + sorted(parties.keySet())
                            + "): add it under settlement.parties");
        }
        return p;
    }

    private RevenueBase revenueBase(Mapping top, Mapping a, String path) {
        String basePath = path + ".revenue_base";
        Mapping b = mapping(value(a, path, "revenue_base", true), basePath);
        if (b == null) {
            return null;
        }
        onlyKeys(b, basePath, REVENUE_BASE);
        Set<String> deployments = new TreeSet<>();
        deploymentIds(top).values().forEach(deployments::addAll);
        List<Set<String>> sets = new ArrayList<>();
        boolean ok = true;
        for (String key : REVENUE_BASE) {
            Set<String> known = switch (key) {
                case "models" -> modelNames(top);
                case "providers" -> providerNames(top);
                case "deployments" -> deployments;
                default -> null; // regions and tenants: tenants may live in the store, regions are free text
            };
            Set<String> values = new TreeSet<>();
            List<Node> items = list(value(b, basePath, key, false), child(basePath, key));
            for (Node n : items) {
                if (!(n instanceof Scalar s) || s.isNull()) {
                    problems.add(n.at(), child(basePath, key), "expected a name, found " + kind(n));
                    ok = false;
                    continue;
                }
                if (known != null && !known.contains(s.text())) {
                    problems.add(
                            s.at(),
                            child(basePath, key),
                            "unknown " + key.substring(0, key.length() - 1) + " '" + s.text() + "' (known: "
                                    + sorted(known) + ")");
                    ok = false;
                }
                values.add(s.text());
            }
            sets.add(values);
        }
        return ok ? new RevenueBase(sets.get(0), sets.get(1), sets.get(2), sets.get(3), sets.get(4)) : null;
    }

    /** A share rate: a fraction in [0, 1] (0.20 is 20 %). Null (with a problem) when invalid or missing and required. */
    private BigDecimal rate(Mapping m, String path, boolean required) {
        if (required && !m.entries().containsKey("rate")) {
            value(m, path, "rate", true);
            return null;
        }
        BigDecimal rate = decimal(m, path, "rate");
        if (rate != null && rate.compareTo(BigDecimal.ONE) > 0) {
            problems.add(
                    m.entries().get("rate").keyAt(),
                    path + ".rate",
                    "a share rate is a fraction from 0 to 1: write 0.20 for 20 %");
            return null;
        }
        return rate;
    }

    /** Empty when absent; null (with a problem) when invalid. */
    private Optional<Money> cap(Mapping m, String path, Currency currency) {
        if (!m.entries().containsKey("cap")) {
            return Optional.empty();
        }
        BigDecimal cap = decimal(m, path, "cap");
        if (cap == null) {
            return null;
        }
        try {
            return Optional.of(new Money(currency, cap));
        } catch (IllegalArgumentException e) {
            problems.add(
                    m.entries().get("cap").keyAt(),
                    path + ".cap",
                    "at most " + Money.SCALE + " decimals (the ledger keeps micro-units)");
            return null;
        }
    }

    /** A date (midnight UTC) or an instant with its offset, e.g. 2026-04-27 or 2026-04-26T23:59:59Z. */
    private Instant instant(Mapping m, String path, String key, boolean required) {
        Scalar s = scalar(m, path, key, required);
        if (s == null) {
            return null;
        }
        try {
            return LocalDate.parse(s.text()).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s.text()).toInstant();
            } catch (DateTimeParseException e2) {
                problems.add(
                        s.at(),
                        child(path, key),
                        "'" + s.text() + "' is not a date or instant: write 2026-04-27 (midnight UTC) or"
                                + " 2026-04-27T12:00:00Z");
                return null;
            }
        }
    }

    private Amendment amendment(Node node, String path, Currency currency) {
        Mapping m = mapping(node, path);
        if (m == null) {
            return null;
        }
        onlyKeys(m, path, AMENDMENT);
        Instant from = instant(m, path, "effective_from", true);
        BigDecimal rate = m.entries().containsKey("rate") ? rate(m, path, false) : null;
        Optional<Money> cap = cap(m, path, currency);
        boolean ends = flag(m, path, "ends");
        if (!ends && !m.entries().containsKey("rate") && !m.entries().containsKey("cap")) {
            problems.add(m.at(), path, "an amendment changes something: give rate, cap, or ends: true");
            return null;
        }
        if (ends && (m.entries().containsKey("rate") || m.entries().containsKey("cap"))) {
            problems.add(m.at(), path, "an amendment that ends the share changes nothing else: drop rate and cap");
            return null;
        }
        if (from == null || cap == null || (m.entries().containsKey("rate") && rate == null)) {
            return null;
        }
        return new Amendment(from, Optional.ofNullable(rate), cap, ends);
    }

    private static Map<String, Set<String>> deploymentIds(Mapping top) {
        Map<String, Set<String>> ids = new LinkedHashMap<>();
        Entry models = top.entries().get("models");
        if (models == null || !(models.value() instanceof Mapping all)) {
            return ids;
        }
        all.entries().forEach((model, entry) -> {
            Set<String> set = new TreeSet<>();
            Node value = entry.value();
            if (value instanceof Mapping m && m.entries().get("deployments") != null) {
                value = m.entries().get("deployments").value();
            } else if (value instanceof Scalar s && !s.isNull()) {
                return; // an alias: requests are priced by the model it stands for
            }
            if (value instanceof Sequence seq) {
                for (Node item : seq.items()) {
                    if (item instanceof Mapping d
                            && d.entries().get("provider") != null
                            && d.entries().get("provider").value() instanceof Scalar p
                            && d.entries().get("model") != null
                            && d.entries().get("model").value() instanceof Scalar mm) {
                        set.add(p.text() + "/" + mm.text());
                    }
                }
            }
            ids.put(model, set);
        });
        return ids;
    }

    /** {@code guard:} and each tenant's {@code tenants.<name>.guard:}; absent means observe and only flag. */
    private GuardPolicy guard(Mapping top) {
        GuardPolicy d = GuardPolicy.DEFAULTS;
        Mapping m = mapping(value(top, "", "guard", false), "guard");
        boolean enabled = d.enabled();
        int queue = d.queueCapacity();
        int throttle = d.throttlePerMinute();
        Map<Verdict, Action> actions = Map.of();
        Set<String> allow = Set.of();
        if (m != null) {
            onlyKeys(m, "guard", GUARD);
            enabled = !m.entries().containsKey("enabled") || flag(m, "guard", "enabled");
            queue = integer(m, "guard", "queue", 1, d.queueCapacity());
            actions = guardActions(m, "guard");
            Mapping t = mapping(value(m, "guard", "throttle", false), "guard.throttle");
            if (t != null) {
                onlyKeys(t, "guard.throttle", GUARD_THROTTLE);
                throttle = integer(t, "guard.throttle", "requests_per_minute", 1, d.throttlePerMinute());
            }
            allow = names(m, "guard", "allow");
        }
        Map<String, GuardPolicy.TenantGuard> tenants = new LinkedHashMap<>();
        Mapping all = top.entries().get("tenants") == null
                ? null
                : top.entries().get("tenants").value() instanceof Mapping tm ? tm : null;
        if (all != null) {
            all.entries().forEach((name, entry) -> {
                if (!(entry.value() instanceof Mapping tenant)
                        || !tenant.entries().containsKey("guard")) {
                    return;
                }
                String path = "tenants." + name + ".guard";
                Mapping g = mapping(value(tenant, "tenants." + name, "guard", false), path);
                if (g == null) {
                    return;
                }
                onlyKeys(g, path, TENANT_GUARD);
                tenants.put(name, new GuardPolicy.TenantGuard(guardActions(g, path), names(g, path, "allow")));
            });
        }
        return new GuardPolicy(enabled, queue, actions, throttle, allow, tenants);
    }

    /** {@code actions: {watch: flag, suspect: throttle, confirmed: block}}. */
    private Map<Verdict, Action> guardActions(Mapping m, String path) {
        Map<Verdict, Action> out = new HashMap<>();
        String at = child(path, "actions");
        Mapping a = mapping(value(m, path, "actions", false), at);
        if (a == null) {
            return out;
        }
        onlyKeys(a, at, GUARD_VERDICTS);
        a.entries().forEach((verdict, entry) -> {
            if (!GUARD_VERDICTS.contains(verdict)) {
                return;
            }
            Scalar s = scalar(a, at, verdict, true);
            if (s == null) {
                return;
            }
            Action action = Action.parse(s.text());
            if (action == null) {
                problems.add(
                        s.at(),
                        child(at, verdict),
                        "unknown action: expected one of flag, throttle, require_verification, block");
                return;
            }
            out.put(Verdict.parse(verdict), action);
        });
        return out;
    }

    /** A list of names (key ids, tenants), each a single value. */
    private Set<String> names(Mapping m, String path, String key) {
        Set<String> out = new java.util.LinkedHashSet<>();
        String at = child(path, key);
        for (Node n : list(value(m, path, key, false), at)) {
            if (n instanceof Scalar s && !s.isNull() && !s.text().isBlank()) {
                out.add(s.text().trim());
            } else {
                problems.add(n.at(), at, "expected a name (a key id or a tenant), found " + kind(n));
            }
        }
        return out;
    }

    private Limits limits(Mapping top) {
        Mapping m = mapping(value(top, "", "limits", false), "limits");
        Limits d = Limits.DEFAULTS;
        if (m == null) {
            return d;
        }
        onlyKeys(m, "limits", LIMITS);
        return new Limits(
                size(m, "limits", "max_body", d.maxBodyBytes()),
                size(m, "limits", "max_response", d.maxResponseBytes()),
                integer(m, "limits", "max_json_depth", 1, d.maxJsonDepth()),
                size(m, "limits", "max_image", d.maxImageBytes()),
                flag(m, "limits", "private_image_hosts"));
    }

    private Timeouts timeouts(Mapping top) {
        Mapping m = mapping(value(top, "", "timeouts", false), "timeouts");
        Timeouts d = Timeouts.DEFAULTS;
        if (m == null) {
            return d;
        }
        onlyKeys(m, "timeouts", TIMEOUTS);
        return new Timeouts(
                duration(m, "connect", d.connect(), false),
                duration(m, "first_byte", d.firstByte(), false),
                duration(m, "idle", d.idle(), false),
                duration(m, "request", d.request(), false),
                duration(m, "shutdown_drain", d.shutdownDrain(), true));
    }

    private Routing routing(Mapping top, Map<String, List<DeploymentConfig>> models) {
        Mapping m = mapping(value(top, "", "routing", false), "routing");
        Routing d = Routing.DEFAULTS;
        if (m == null) {
            return new Routing(d.retries(), d.backoffBase(), d.breaker(), null, null, modelRouting, Map.of());
        }
        onlyKeys(m, "routing", ROUTING);
        return new Routing(
                integer(m, "routing", "retries", 0, d.retries()),
                duration(m, "routing", "backoff_base", d.backoffBase(), false),
                breaker(m),
                healthCheck(m),
                outlier(m),
                modelRouting,
                pins(m, models));
    }

    private Routing.HealthCheck healthCheck(Mapping routing) {
        String path = "routing.health_check";
        Mapping m = mapping(value(routing, "routing", "health_check", false), path);
        if (m == null) {
            return null;
        }
        onlyKeys(m, path, HEALTH_CHECK);
        Duration interval = duration(m, path, "interval", Duration.ofSeconds(10), false);
        Duration timeout = duration(m, path, "timeout", Duration.ofSeconds(2), false);
        Scalar p = scalar(m, path, "path", false);
        String probe = Routing.HealthCheck.DEFAULT_PATH;
        if (p != null) {
            if (!p.text().startsWith("/") || p.text().chars().anyMatch(c -> c <= ' ')) {
                problems.add(p.at(), path + ".path", "must start with / and contain no spaces, e.g. path: /models");
            } else {
                probe = p.text();
            }
        }
        return new Routing.HealthCheck(interval, timeout, probe);
    }

    private Routing.Outlier outlier(Mapping routing) {
        String path = "routing.outlier_ejection";
        Mapping m = mapping(value(routing, "routing", "outlier_ejection", false), path);
        if (m == null) {
            return null;
        }
        onlyKeys(m, path, OUTLIER);
        double factor = 3;
        Scalar f = scalar(m, path, "factor", false);
        if (f != null) {
            try {
                factor = Double.parseDouble(f.text());
                if (!(factor > 1) || Double.isInfinite(factor)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add(f.at(), path + ".factor", "must be a number greater than 1, e.g. factor: 3");
                factor = 3;
            }
        }
        return new Routing.Outlier(factor, duration(m, path, "min_latency", Duration.ofMillis(500), false));
    }

    /**
     * {@code routing.pins: {tenant: {model: provider/model}}}: the deployment a tenant's requests for a model try first.
     * Tenants are not checked against {@code tenants:}, as they may be created at run time through the admin API.
     */
    private Map<String, Map<String, String>> pins(Mapping routing, Map<String, List<DeploymentConfig>> models) {
        Mapping all = mapping(value(routing, "routing", "pins", false), "routing.pins");
        Map<String, Map<String, String>> pins = new LinkedHashMap<>();
        if (all == null) {
            return pins;
        }
        all.entries().forEach((tenant, entry) -> {
            String path = "routing.pins." + tenant;
            Mapping m = mapping(entry.value(), path);
            if (m == null) {
                return;
            }
            Map<String, String> byModel = new LinkedHashMap<>();
            m.entries().forEach((model, e) -> {
                String field = path + "." + model;
                List<DeploymentConfig> deployments = models.get(model);
                if (deployments == null) {
                    problems.add(
                            e.keyAt(), field, "unknown model '" + model + "' (known: " + sorted(models.keySet()) + ")");
                    return;
                }
                if (!(e.value() instanceof Scalar s) || s.isNull()) {
                    problems.add(
                            e.value().at(),
                            field,
                            "expected a deployment id, e.g. " + model + ": "
                                    + (deployments.isEmpty()
                                            ? "sim-a/sim-chat"
                                            : deployments.get(0).id()));
                    return;
                }
                List<String> ids =
                        deployments.stream().map(DeploymentConfig::id).toList();
                if (!ids.contains(s.text())) {
                    problems.add(
                            s.at(),
                            field,
                            "'" + s.text() + "' is not a deployment of model '" + model + "' (its deployments: "
                                    + sorted(ids) + ")");
                    return;
                }
                byModel.put(model, s.text());
            });
            pins.put(tenant, byModel);
        });
        return pins;
    }

    private Routing.Breaker breaker(Mapping routing) {
        Mapping m = mapping(value(routing, "routing", "breaker", false), "routing.breaker");
        Routing.Breaker d = Routing.Breaker.DEFAULTS;
        if (m == null) {
            return d;
        }
        String path = "routing.breaker";
        onlyKeys(m, path, BREAKER);
        int rate = integer(m, path, "failure_rate", 1, d.failureRate());
        if (rate > 100) {
            problems.add(
                    m.entries().get("failure_rate").value().at(),
                    path + ".failure_rate",
                    "is a percentage: at most 100");
            rate = d.failureRate();
        }
        int minimumCalls = integer(m, path, "minimum_calls", 1, d.minimumCalls());
        int window = integer(m, path, "window", 1, Math.max(d.window(), minimumCalls));
        if (window < minimumCalls && m.entries().containsKey("window")) {
            problems.add(
                    m.entries().get("window").value().at(),
                    path + ".window",
                    "must be at least minimum_calls (" + minimumCalls + ")");
            window = minimumCalls;
        }
        return new Routing.Breaker(
                rate,
                minimumCalls,
                Math.max(window, minimumCalls),
                integer(m, path, "consecutive_failures", 0, d.consecutiveFailures()),
                duration(m, path, "open_for", d.openFor(), false),
                integer(m, path, "half_open_calls", 1, d.halfOpenCalls()));
    }

    private long size(Mapping m, String path, String key, long fallback) {
        Scalar s = scalar(m, path, key, false);
        if (s == null) {
            return fallback;
        }
        try {
            long bytes = Quantities.parseSize(s.text());
            if (bytes > 0) {
                return bytes;
            }
            problems.add(s.at(), path + "." + key, "must be greater than 0");
        } catch (IllegalArgumentException e) {
            problems.add(s.at(), path + "." + key, e.getMessage());
        }
        return fallback;
    }

    private Duration duration(Mapping m, String key, Duration fallback, boolean zeroAllowed) {
        return duration(m, "timeouts", key, fallback, zeroAllowed);
    }

    private Duration duration(Mapping m, String path, String key, Duration fallback, boolean zeroAllowed) {
        Scalar s = scalar(m, path, key, false);
        if (s == null) {
            return fallback;
        }
        String field = path + "." + key;
        if (s.token() == JsonToken.VALUE_NUMBER_INT) {
            problems.add(s.at(), field, "needs a unit: write e.g. " + s.text() + "s or " + s.text() + "ms");
            return fallback;
        }
        try {
            Duration duration = Quantities.parseDuration(s.text());
            if (duration.isPositive() || (zeroAllowed && duration.isZero())) {
                return duration;
            }
            problems.add(s.at(), field, "must be greater than 0");
        } catch (IllegalArgumentException e) {
            problems.add(s.at(), field, e.getMessage());
        }
        return fallback;
    }

    private HostPort hostPort(Mapping m, String path, String key, boolean required) {
        Scalar s = scalar(m, path, key, required);
        if (s == null) {
            return null;
        }
        try {
            HostPort address = HostPort.parse(s.text());
            if (address.host().isBlank()) {
                throw new IllegalArgumentException("empty host");
            }
            return address;
        } catch (IllegalArgumentException e) {
            problems.add(
                    s.at(),
                    child(path, key),
                    "'" + s.text() + "' is not a listen address: write host:port, e.g."
                            + " 127.0.0.1:8080 (port 0 picks a free one)");
            return null;
        }
    }

    private Secret secret(Mapping m, String path, String key, boolean required) {
        Scalar s = scalar(m, path, key, required);
        if (s == null || s.text().isEmpty()) {
            if (s != null && required) {
                problems.add(s.at(), child(path, key), "must not be empty");
            }
            return null; // an optional empty secret, e.g. ${KEY:-}, means "none"
        }
        return new Secret(s.text());
    }

    int integer(Mapping m, String path, String key, int min, int fallback) {
        Scalar s = scalar(m, path, key, false);
        if (s == null) {
            return fallback;
        }
        String field = child(path, key);
        if (s.token() != JsonToken.VALUE_NUMBER_INT) {
            problems.add(s.at(), field, "expected a whole number, e.g. " + key + ": " + Math.max(min, fallback));
            return fallback;
        }
        try {
            int value = Integer.parseInt(s.text());
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // out of int range: reported below like any other value under the minimum or too large
        }
        problems.add(s.at(), field, "must be a whole number of at least " + min);
        return fallback;
    }

    // ---- generic access: each reports a problem and returns null (or empty) when the shape is wrong ----

    /** The value under {@code key}, or null when absent or written as null; a missing required field is reported. */
    /** An optional true/false; absent means false. */
    boolean flag(Mapping m, String path, String key) {
        Scalar s = scalar(m, path, key, false);
        if (s == null || s.isNull()) {
            return false;
        }
        return switch (s.text()) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                problems.add(s.at(), path + "." + key, "must be true or false");
                yield false;
            }
        };
    }

    Node value(Mapping m, String path, String key, boolean required) {
        Entry entry = m.entries().get(key);
        Node node = entry == null ? null : entry.value();
        if (node instanceof Scalar s && s.isNull()) {
            node = null;
        }
        if (node == null && required) {
            String example = EXAMPLES.containsKey(key) ? ", e.g. " + EXAMPLES.get(key) : "";
            problems.add(
                    entry == null ? m.at() : entry.keyAt(),
                    child(path, key),
                    (entry == null ? "required field is missing: add it" : "required field has no value: give it one")
                            + example);
        }
        return node;
    }

    Scalar scalar(Mapping m, String path, String key, boolean required) {
        Node node = value(m, path, key, required);
        if (node == null || node instanceof Scalar) {
            return (Scalar) node;
        }
        problems.add(node.at(), child(path, key), "expected a single value, found " + kind(node));
        return null;
    }

    Mapping mapping(Node node, String path) {
        if (node == null || node instanceof Mapping) {
            return (Mapping) node;
        }
        problems.add(node.at(), path, "expected key: value pairs, found " + kind(node));
        return null;
    }

    List<Node> list(Node node, String path) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof Sequence s) {
            return s.items();
        }
        problems.add(node.at(), path, "expected a list ([a, b] or - lines), found " + kind(node));
        return List.of();
    }

    void onlyKeys(Mapping m, String path, List<String> allowed) {
        m.entries().forEach((key, entry) -> {
            if (allowed.contains(key)) {
                return;
            }
            String similar = allowed.stream()
                    .filter(a -> normalized(a).equals(normalized(key)))
                    .findFirst()
                    .map(a -> "did you mean " + a + "? ")
                    .orElse("");
            problems.add(
                    entry.keyAt(),
                    child(path, key),
                    "unknown field: " + similar + "expected one of " + String.join(", ", allowed));
        });
    }

    static Set<String> providerNames(Mapping top) {
        return namesUnder(top, "providers");
    }

    static Set<String> modelNames(Mapping top) {
        return namesUnder(top, "models");
    }

    private static Set<String> namesUnder(Mapping top, String key) {
        Entry entry = top.entries().get(key);
        return entry != null && entry.value() instanceof Mapping m ? m.entries().keySet() : Set.of();
    }

    static String kind(Node node) {
        return switch (node) {
            case Mapping m -> "key: value pairs";
            case Sequence s -> "a list";
            case Scalar s -> s.isNull() ? "nothing" : "a single value";
        };
    }

    private static String kind(Entry entry) {
        return kind(entry.value());
    }

    private static String normalized(String key) {
        return key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String sorted(Collection<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", new TreeSet<>(names));
    }

    private static String first(Set<String> names, String fallback) {
        return names.isEmpty() ? fallback : new TreeSet<>(names).first();
    }
}
