package dev.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options and calls shared by the commands that talk to a running gateway's admin API. The token comes from the
 * environment, not the command line, so it does not show in process listings or shell history.
 */
final class AdminClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Option(
            names = "--admin-url",
            defaultValue = "${TOLLGATE_ADMIN_URL:-http://127.0.0.1:8081}",
            description = "The admin API (default: $TOLLGATE_ADMIN_URL or ${DEFAULT-VALUE}).")
    String url;

    private final Map<String, String> env;

    AdminClient() {
        this(System.getenv());
    }

    /** With another environment to read {@code TOLLGATE_ADMIN_TOKEN} from, for tests. */
    AdminClient(Map<String, String> env) {
        this.env = env;
    }

    /** Thrown for an answer the admin API gave with an error status; its message is the API's own. */
    static final class AdminError extends Exception {
        private static final long serialVersionUID = 1L;

        AdminError(String message) {
            super(message);
        }
    }

    JsonNode get(String path) throws IOException, InterruptedException, AdminError {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode post(String path, JsonNode body) throws IOException, InterruptedException, AdminError {
        return send(HttpRequest.newBuilder(uri(path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body))));
    }

    JsonNode put(String path, JsonNode body) throws IOException, InterruptedException, AdminError {
        return send(HttpRequest.newBuilder(uri(path))
                .header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body))));
    }

    JsonNode delete(String path) throws IOException, InterruptedException, AdminError {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }

    private URI uri(String path) {
        return URI.create(url.replaceAll("/+$", "") + path);
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException, AdminError {
        String token = env.get("TOLLGATE_ADMIN_TOKEN");
        if (token == null || token.isBlank()) {
            throw new AdminError("Set TOLLGATE_ADMIN_TOKEN to the admin token of the gateway.");
        }
        HttpResponse<String> response;
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(
                    request.header("authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new AdminError(
                    "Cannot reach the admin API at " + request.build().uri() + ": is the gateway running?");
        }
        JsonNode body = response.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(response.body());
        if (response.statusCode() >= 400) {
            throw new AdminError("HTTP " + response.statusCode() + ": "
                    + body.path("error").path("message").asText(response.body()));
        }
        return body;
    }
}
