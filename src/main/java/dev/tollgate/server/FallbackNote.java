package dev.tollgate.server;

import dev.tollgate.route.AttemptFailure;
import dev.tollgate.route.Deployment;
import java.util.List;
import java.util.Locale;

/**
 * Why a request was served by a fallback model rather than the one asked for: written to the caller as
 * {@code x-tollgate-fallback: <model>; reason=<reason>}. The reason is the last way a deployment of the asked model
 * failed ({@code server_error}, {@code rate_limited}, {@code timeout}, {@code connect}, {@code broken},
 * {@code rejected}); {@code circuit_open} when its deployments were not tried because their breakers were open;
 * {@code excluded} when the plan held none of them (a policy filtered them out). Used by one request's thread.
 */
final class FallbackNote {
    static final CharSequence HEADER = io.vertx.core.http.HttpHeaders.createOptimized("x-tollgate-fallback");

    /** The model the caller asked for, after aliases; null when unknown. */
    private final String primary;

    private AttemptFailure primaryFailure;

    FallbackNote(RuntimeConfig config, String asked) {
        this.primary = config.routes().canonical(asked);
    }

    /** An attempt on {@code deployment} failed in the way {@code kind}. */
    void failed(Deployment deployment, AttemptFailure kind) {
        if (primary != null && primary.equals(deployment.model())) {
            primaryFailure = kind;
        }
    }

    /** The header value when {@code served} belongs to a fallback model, else null. */
    String header(Deployment served, List<Deployment> plan) {
        if (served == null
                || served.model() == null
                || primary == null
                || served.model().equals(primary)) {
            return null;
        }
        return served.model() + "; reason=" + reason(plan);
    }

    private String reason(List<Deployment> plan) {
        if (primaryFailure != null) {
            return primaryFailure.name().toLowerCase(Locale.ROOT);
        }
        for (Deployment d : plan) {
            if (primary.equals(d.model())) {
                return "circuit_open";
            }
        }
        return "excluded";
    }

    /** The model a usage record of {@code served} is priced by: the one it serves, else the one asked for. */
    static String pricedModel(Deployment served, String asked) {
        return served != null && served.model() != null ? served.model() : asked;
    }
}
