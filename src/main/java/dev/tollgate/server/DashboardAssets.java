package dev.tollgate.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The operator dashboard's static files, served by the admin listener at {@code /dashboard}. They hold no data and
 * no secret, so they are served without the admin token; the page asks for the token and sends it with every admin
 * API call it makes. A fixed list of files, read once: no path from the request ever reaches the class loader.
 */
final class DashboardAssets {
    private record Asset(String contentType, Buffer bytes) {}

    // Scripts only from this origin, no inline script, no framing: a leaked page cannot be turned against the API.
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Map<String, Asset> ASSETS = Map.of(
            "/dashboard", load("index.html", "text/html; charset=utf-8"),
            "/dashboard/", load("index.html", "text/html; charset=utf-8"),
            "/dashboard/app.js", load("app.js", "text/javascript; charset=utf-8"),
            "/dashboard/style.css", load("style.css", "text/css; charset=utf-8"));

    private DashboardAssets() {}

    static boolean owns(String path) {
        return path.equals("/dashboard") || path.startsWith("/dashboard/");
    }

    /** Answers a dashboard path: the file, or 404 for any other name under /dashboard. */
    static void serve(String path, HttpServerResponse res) {
        Asset asset = ASSETS.get(path);
        res.putHeader("content-security-policy", CSP)
                .putHeader("x-content-type-options", "nosniff")
                .putHeader("referrer-policy", "no-referrer")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (asset == null) {
            res.setStatusCode(404)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                    .end("Not found");
            return;
        }
        res.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType()).end(asset.bytes());
    }

    private static Asset load(String name, String contentType) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset missing from the jar: " + name);
            }
            return new Asset(contentType, Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
