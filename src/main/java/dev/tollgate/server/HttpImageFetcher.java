package dev.tollgate.server;

import dev.tollgate.wire.canonical.ImageFetchException;
import dev.tollgate.wire.canonical.ImageFetcher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fetches an image by URL over the event loop's HTTP client, for providers that take images only inline: http(s)
 * only, no redirects (a redirect could lead anywhere the first check did not look), a {@code content-type} of
 * {@code image/*}, at most {@code maxBytes} (refused from {@code content-length} before reading, else counted while
 * reading), within {@code timeoutMillis}. Unless {@code privateHosts}, the connected address must not be loopback,
 * private or link-local: a caller must not make the gateway read its own network. The address is checked on the
 * open connection, after DNS, so a name that resolves inward is refused too.
 */
final class HttpImageFetcher implements ImageFetcher {
    private final HttpClient client;
    private final long maxBytes;
    private final long timeoutMillis;
    private final boolean privateHosts;

    HttpImageFetcher(HttpClient client, long maxBytes, long timeoutMillis, boolean privateHosts) {
        this.client = client;
        this.maxBytes = maxBytes;
        this.timeoutMillis = Math.max(1, timeoutMillis);
        this.privateHosts = privateHosts;
    }

    @Override
    public CompletionStage<FetchedImage> fetch(String url) {
        CompletableFuture<FetchedImage> result = new CompletableFuture<>();
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new ImageFetchException("it is not a valid URL"));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            return CompletableFuture.failedFuture(new ImageFetchException("only http and https URLs are fetched"));
        }
        boolean tls = scheme.equals("https");
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80)
                .setSsl(tls)
                .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                .setFollowRedirects(false)
                .setConnectTimeout(timeoutMillis)
                .setTimeout(timeoutMillis)
                .putHeader("accept", "image/*");
        client.request(options).onComplete(ar -> {
            if (ar.failed()) {
                result.completeExceptionally(new ImageFetchException("the host could not be reached"));
                return;
            }
            HttpClientRequest request = ar.result();
            if (!privateHosts && isPrivate(request.connection().remoteAddress().hostAddress())) {
                request.reset();
                result.completeExceptionally(
                        new ImageFetchException("the host is on a private network, which the gateway does not fetch"));
                return;
            }
            request.send().onComplete(sent -> {
                if (sent.failed()) {
                    result.completeExceptionally(new ImageFetchException(
                            sent.cause() instanceof java.util.concurrent.TimeoutException
                                            || String.valueOf(sent.cause().getMessage())
                                                    .contains("timeout")
                                    ? "no answer within " + timeoutMillis + " ms"
                                    : "the connection failed"));
                    return;
                }
                var response = sent.result();
                String type = response.getHeader("content-type");
                String mediaType =
                        type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                String refusal = null;
                if (response.statusCode() != 200) {
                    refusal = "the server answered HTTP " + response.statusCode();
                } else if (!mediaType.startsWith("image/")) {
                    refusal = "the server sent '" + (mediaType.isEmpty() ? "no content type" : mediaType)
                            + "', not an image";
                } else if (declaredLength(response.getHeader("content-length")) > maxBytes) {
                    refusal = "the image is larger than " + maxBytes + " bytes";
                }
                if (refusal != null) {
                    request.reset();
                    result.completeExceptionally(new ImageFetchException(refusal));
                    return;
                }
                Buffer body = Buffer.buffer();
                response.handler(chunk -> {
                    if (result.isDone()) {
                        return;
                    }
                    if (body.length() + chunk.length() > maxBytes) {
                        result.completeExceptionally(
                                new ImageFetchException("the image is larger than " + maxBytes + " bytes"));
                        request.reset();
                        return;
                    }
                    body.appendBuffer(chunk);
                });
                response.exceptionHandler(e -> result.completeExceptionally(new ImageFetchException(
                        e instanceof java.util.concurrent.TimeoutException
                                ? "no answer within " + timeoutMillis + " ms"
                                : "the download broke off")));
                response.endHandler(v -> result.complete(new FetchedImage(mediaType, body.getBytes())));
            });
        });
        return result;
    }

    private static long declaredLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Loopback, private (RFC 1918 / unique-local), link-local, any-local or multicast; a literal never blocks. */
    static boolean isPrivate(String literal) {
        try {
            InetAddress a = InetAddress.getByName(literal);
            byte[] b = a.getAddress();
            boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
            return a.isLoopbackAddress()
                    || a.isSiteLocalAddress()
                    || a.isLinkLocalAddress()
                    || a.isAnyLocalAddress()
                    || a.isMulticastAddress()
                    || uniqueLocal;
        } catch (UnknownHostException e) {
            return true;
        }
    }
}
