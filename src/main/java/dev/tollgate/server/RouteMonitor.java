package dev.tollgate.server;

import dev.tollgate.config.Routing;
import dev.tollgate.provider.UpstreamTarget;
import dev.tollgate.route.AttemptFailure;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing work done off the request path, on its own event loop: active health checks and outlier ejection. It
 * follows the current configuration snapshot at every tick, so a reload turns either on, off or changes its pace.
 *
 * <p>A health check is one {@code GET} of {@code routing.health_check.path} under each provider's base URL with the
 * provider's own headers; its outcome applies to every deployment of that provider (a host either serves or not).
 * A dead host opens the breakers of its deployments before any request pays for the discovery; a live one turns open
 * breakers half-open, so requests probe the deployment again without waiting out {@code open_for}.
 */
final class RouteMonitor extends AbstractVerticle {
    private static final Logger log = LoggerFactory.getLogger(RouteMonitor.class);
    /** The pace of ticks when no health check is configured: outlier ejection is judged this often. */
    private static final long TICK_MILLIS = 1000;

    private final GatewayState state;
    private HttpClient client;
    private long timer = -1;
    private long nextProbeAt;

    RouteMonitor(GatewayState state) {
        this.state = state;
    }

    @Override
    public void start() {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
        schedule(1);
    }

    @Override
    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void schedule(long delayMillis) {
        timer = vertx.setTimer(Math.max(1, delayMillis), id -> tick());
    }

    private void tick() {
        RuntimeConfig config = state.config();
        Routing routing = config.config().routing();
        long delay = TICK_MILLIS;
        try {
            if (routing.outlier() != null) {
                for (String id : state.health.ejectOutliers(config.routes(), routing.outlier())) {
                    log.warn("deployment {} ejected: its latency is far above its peers'", id);
                }
            }
            Routing.HealthCheck check = routing.healthCheck();
            if (check != null) {
                long now = System.currentTimeMillis();
                if (now >= nextProbeAt) {
                    nextProbeAt = now + check.interval().toMillis();
                    probeAll(config, check);
                }
                delay = Math.min(delay, check.interval().toMillis());
            }
        } catch (RuntimeException e) {
            log.warn("routing monitor tick failed; trying again next tick", e);
        }
        schedule(delay);
    }

    private void probeAll(RuntimeConfig config, Routing.HealthCheck check) {
        for (Map.Entry<String, Set<String>> e :
                config.routes().deploymentsByProvider().entrySet()) {
            UpstreamTarget target = config.targets().get(e.getKey());
            if (target != null) {
                probe(e.getKey(), target, check, e.getValue());
            }
        }
    }

    private void probe(String provider, UpstreamTarget target, Routing.HealthCheck check, Set<String> ids) {
        long timeout = check.timeout().toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(target.path(check.path()))
                .setConnectTimeout(timeout)
                .setTimeout(timeout);
        target.headers().forEach(options::putHeader);
        client.request(options)
                .compose(req -> req.send())
                .compose(res -> res.body().map(body -> res.statusCode()))
                .onComplete(ar -> {
                    AttemptFailure kind = ar.succeeded() ? failureOf(ar.result()) : failureOf(ar.cause());
                    List<String> changed = state.health.probed(ids, kind);
                    if (!changed.isEmpty()) {
                        log.info(
                                "health check of provider {}: {} ({} now {})",
                                provider,
                                kind == null ? "alive" : "down, " + kind.name().toLowerCase(java.util.Locale.ROOT),
                                changed,
                                kind == null ? "half-open" : "open");
                    }
                });
    }

    /** An answer below 500 other than 429 proves the host serves, even a 401 or 404. */
    private static AttemptFailure failureOf(int status) {
        if (status == 429) {
            return AttemptFailure.RATE_LIMITED;
        }
        return status >= 500 ? AttemptFailure.SERVER_ERROR : null;
    }

    private static AttemptFailure failureOf(Throwable e) {
        String name = e.getClass().getSimpleName();
        if (e instanceof java.net.ConnectException || name.contains("Connect")) {
            return AttemptFailure.CONNECT;
        }
        return name.contains("Timeout") ? AttemptFailure.TIMEOUT : AttemptFailure.BROKEN;
    }

    @Override
    public void stop(io.vertx.core.Promise<Void> done) {
        stop();
        Future<Void> closed = client == null ? Future.succeededFuture() : client.close();
        closed.onComplete(ar -> done.complete());
    }
}
