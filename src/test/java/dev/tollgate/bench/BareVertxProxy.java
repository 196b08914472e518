package dev.tollgate.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor under Tollgate's proxy cost: the same Vert.x server and client set-up (one server and one pool per event
 * loop, keep-alive, epoll) forwarding POST bodies to one upstream and answers back, with no gateway work at all.
 * bench/run.sh measures it beside nginx and Tollgate, which separates what the framework costs from what the
 * gateway adds. Not part of the product.
 *
 * <p>{@code java -cp … dev.tollgate.bench.BareVertxProxy LISTEN_PORT UPSTREAM_PORT}
 */
public final class BareVertxProxy extends VerticleBase {
    private final int port;
    private final int upstream;
    private HttpClient client;

    BareVertxProxy(int port, int upstream) {
        this.port = port;
        this.upstream = upstream;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        int loops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        vertx.deployVerticle(() -> new BareVertxProxy(port, upstream), new DeploymentOptions().setInstances(loops))
                .await();
        System.out.println("bare Vert.x proxy on 127.0.0.1:" + port + " -> " + upstream + ", native transport: "
                + vertx.isNativeTransportEnabled());
    }

    @Override
    public Future<?> start() {
        client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(512));
        RequestOptions template = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("127.0.0.1")
                .setPort(upstream)
                .setURI("/v1/chat/completions");
        return vertx.createHttpServer()
                .requestHandler(req -> req.body()
                        .onSuccess(body -> client.request(new RequestOptions(template)
                                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json"))
                                .compose(up -> up.send(body))
                                .compose(answer -> answer.body().map(bytes -> {
                                    req.response()
                                            .putHeader(
                                                    HttpHeaders.CONTENT_TYPE,
                                                    answer.getHeader(HttpHeaders.CONTENT_TYPE))
                                            .setStatusCode(answer.statusCode())
                                            .end(bytes);
                                    return null;
                                }))
                                .onFailure(
                                        e -> req.response().setStatusCode(502).end())))
                .listen(port, "127.0.0.1");
    }
}
