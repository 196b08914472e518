package dev.tollgate.policy;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One attribute a rule can test, compiled from its name in the file ({@code tenant.country},
 * {@code deployment.labels.tier}, {@code tenant.ownership.CN+RU}, ...) into a direct accessor, so evaluating a rule
 * looks nothing up by name.
 */
public sealed interface Attribute {
    /** The attribute names a rule may use; {@code <key>} and {@code <CC>} stand for a label name and a country. */
    List<String> NAMES = List.of(
            "model",
            "tenant.name",
            "tenant.country",
            "tenant.region",
            "tenant.tier",
            "tenant.sector",
            "tenant.ownership.<CC>[+<CC>...]",
            "tenant.labels.<key>",
            "deployment.id",
            "deployment.provider",
            "deployment.model",
            "deployment.region",
            "deployment.vendor",
            "deployment.vendor_country",
            "deployment.family",
            "deployment.license",
            "deployment.open_weights",
            "deployment.labels.<key>");

    /** The name as written in the file. */
    String path();

    /** The attribute's value for one tenant, deployment and client-facing model; null when it has none. */
    String value(TenantProfile tenant, DeploymentProfile deployment, String model);

    /** Parses an attribute name; the message of the exception says what names exist. */
    static Attribute parse(String path) {
        Field field = Field.of(path);
        if (field != null) {
            return new Simple(path, field);
        }
        if (path.startsWith("tenant.labels.") && path.length() > "tenant.labels.".length()) {
            return new Label(path, true, path.substring("tenant.labels.".length()));
        }
        if (path.startsWith("deployment.labels.") && path.length() > "deployment.labels.".length()) {
            return new Label(path, false, path.substring("deployment.labels.".length()));
        }
        if (path.startsWith("tenant.ownership.")) {
            List<String> countries =
                    Arrays.asList(path.substring("tenant.ownership.".length()).split("\\+", -1));
            for (String c : countries) {
                if (!Ownership.COUNTRY.matcher(c).matches()) {
                    throw new IllegalArgumentException("'" + path + "': after tenant.ownership. write country codes"
                            + " joined by +, e.g. tenant.ownership.CN or tenant.ownership.CN+RU");
                }
            }
            return new Ownership(path, List.copyOf(countries));
        }
        throw new IllegalArgumentException(
                "unknown attribute '" + path + "' (known: " + String.join(", ", NAMES) + ")");
    }

    /** The attributes with a fixed name. */
    enum Field {
        MODEL("model"),
        TENANT_NAME("tenant.name"),
        TENANT_COUNTRY("tenant.country"),
        TENANT_REGION("tenant.region"),
        TENANT_TIER("tenant.tier"),
        TENANT_SECTOR("tenant.sector"),
        DEPLOYMENT_ID("deployment.id"),
        DEPLOYMENT_PROVIDER("deployment.provider"),
        DEPLOYMENT_MODEL("deployment.model"),
        DEPLOYMENT_REGION("deployment.region"),
        DEPLOYMENT_VENDOR("deployment.vendor"),
        DEPLOYMENT_VENDOR_COUNTRY("deployment.vendor_country"),
        DEPLOYMENT_FAMILY("deployment.family"),
        DEPLOYMENT_LICENSE("deployment.license"),
        DEPLOYMENT_OPEN_WEIGHTS("deployment.open_weights");

        private final String path;

        Field(String path) {
            this.path = path;
        }

        static Field of(String path) {
            for (Field f : values()) {
                if (f.path.equals(path)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** An attribute with a fixed name. */
    record Simple(String path, Field field) implements Attribute {
        @Override
        public String value(TenantProfile t, DeploymentProfile d, String model) {
            return switch (field) {
                case MODEL -> model;
                case TENANT_NAME -> t.name();
                case TENANT_COUNTRY -> t.country();
                case TENANT_REGION -> t.attributes().region();
                case TENANT_TIER -> t.attributes().tier();
                case TENANT_SECTOR -> t.attributes().sector();
                case DEPLOYMENT_ID -> d.id();
                case DEPLOYMENT_PROVIDER -> d.provider();
                case DEPLOYMENT_MODEL -> d.upstreamModel();
                case DEPLOYMENT_REGION -> d.region();
                case DEPLOYMENT_VENDOR -> d.attributes().vendor();
                case DEPLOYMENT_VENDOR_COUNTRY -> d.attributes().vendorCountry();
                case DEPLOYMENT_FAMILY -> d.attributes().family();
                case DEPLOYMENT_LICENSE -> d.attributes().license();
                case DEPLOYMENT_OPEN_WEIGHTS -> d.openWeights();
            };
        }
    }

    /** A custom label of the tenant or of the deployment. */
    record Label(String path, boolean tenant, String key) implements Attribute {
        @Override
        public String value(TenantProfile t, DeploymentProfile d, String model) {
            return tenant
                    ? t.attributes().labels().get(key)
                    : d.attributes().labels().get(key);
        }
    }

    /** The share of the tenant owned from one or more countries together, in percent. */
    record Ownership(String path, List<String> countries) implements Attribute {
        static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

        /** Hundredths of a percent owned from all of {@code countries} together. */
        long hundredths(TenantProfile t) {
            long sum = 0;
            for (String c : countries) {
                sum += t.ownershipHundredths(c);
            }
            return sum;
        }

        @Override
        public String value(TenantProfile t, DeploymentProfile d, String model) {
            return java.math.BigDecimal.valueOf(hundredths(t), 2)
                    .stripTrailingZeros()
                    .toPlainString();
        }
    }
}
