package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.bedrock.BedrockDialect;
import dev.tollgate.wire.canonical.BadRequestException;
import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.ContentPart;
import dev.tollgate.wire.canonical.ImageInliner;
import dev.tollgate.wire.canonical.Message;
import dev.tollgate.wire.canonical.Role;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.gemini.GeminiDialect;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Images given by URL become inline images for providers that take only those (Gemini, Bedrock): fetched over real
 * HTTP from a loopback server, within the size limit and timeout, and a clear 400 naming the part when they cannot be.
 */
class ImageInliningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4};
    private static final AtomicInteger FETCHES = new AtomicInteger();
    private static Vertx vertx;
    private static HttpServer images;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        images = vertx.createHttpServer()
                .requestHandler(req -> {
                    FETCHES.incrementAndGet();
                    var r = req.response();
                    switch (req.path()) {
                        case "/cat.png" ->
                            r.putHeader("content-type", "image/png").end(Buffer.buffer(PNG));
                        case "/page.html" ->
                            r.putHeader("content-type", "text/html").end("<html></html>");
                        case "/big.jpg" ->
                            r.putHeader("content-type", "image/jpeg").end(Buffer.buffer(new byte[4096]));
                        case "/chunked-big.jpg" -> {
                            r.setChunked(true).putHeader("content-type", "image/jpeg");
                            r.write(Buffer.buffer(new byte[600]));
                            r.end(Buffer.buffer(new byte[600]));
                        }
                        case "/slow.png" ->
                            vertx.setTimer(
                                    2_000,
                                    t -> r.putHeader("content-type", "image/png")
                                            .end(Buffer.buffer(PNG)));
                        case "/moved.png" ->
                            r.setStatusCode(302)
                                    .putHeader("location", "/cat.png")
                                    .end();
                        default -> r.setStatusCode(404).end();
                    }
                })
                .listen(0, "127.0.0.1")
                .await();
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + images.actualPort() + path;
    }

    private static ChatRequest withImages(String... urls) {
        List<ContentPart> parts = new java.util.ArrayList<>();
        parts.add(new ContentPart.Text("What is in these pictures?"));
        for (String u : urls) {
            parts.add(ContentPart.Image.ofUrl(u));
        }
        return new ChatRequest(
                "m",
                null,
                List.of(new Message(Role.USER, parts)),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                100,
                null,
                null,
                null,
                null,
                false,
                false,
                null);
    }

    private static ChatRequest inline(ChatRequest request, long maxBytes, long timeoutMillis, boolean privateHosts)
            throws Exception {
        var inliner = new ImageInliner(new HttpImageFetcher(client, maxBytes, timeoutMillis, privateHosts));
        try {
            return inliner.inline(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void aUrlImageIsFetchedOnceAndSentToGeminiAndBedrockInlineWithItsMediaType() throws Exception {
        FETCHES.set(0);
        ChatRequest request = withImages(url("/cat.png"), url("/cat.png"));

        ChatRequest inlined = inline(request, 1024, 5_000, true);

        assertThat(FETCHES).as("the same URL is fetched once").hasValue(1);
        var image = (ContentPart.Image) inlined.messages().get(0).content().get(1);
        assertThat(image.isUrl()).isFalse();
        assertThat(image.mediaType()).isEqualTo("image/png");
        assertThat(Base64.getDecoder().decode(image.data())).isEqualTo(PNG);
        assertThat(inlined.messages().get(0).content().get(2)).isEqualTo(image);

        UpstreamCall call = new UpstreamCall("model", "p/model", 1024, 0, false);
        JsonNode gemini = JSON.readTree(
                GeminiDialect.googleAi().encodeRequest(inlined, call).body());
        JsonNode inlineData = gemini.at("/contents/0/parts/1/inlineData");
        assertThat(inlineData.path("mimeType").asText()).isEqualTo("image/png");
        assertThat(inlineData.path("data").asText()).isEqualTo(image.data());
        JsonNode bedrock = JSON.readTree(
                BedrockDialect.INSTANCE.encodeRequest(inlined, call).body());
        assertThat(bedrock.at("/messages/0/content/1/image/format").asText()).isEqualTo("png");
    }

    @Test
    void onlyProvidersThatRefuseUrlsNeedIt() {
        assertThat(GeminiDialect.googleAi().acceptsImageUrls()).isFalse();
        assertThat(BedrockDialect.INSTANCE.acceptsImageUrls()).isFalse();
        assertThat(dev.tollgate.wire.anthropic.AnthropicDialect.INSTANCE.acceptsImageUrls())
                .isTrue();
        assertThat(dev.tollgate.wire.openai.OpenAiDialect.INSTANCE.acceptsImageUrls())
                .isTrue();
        assertThat(ImageInliner.hasImageUrls(withImages(url("/cat.png")))).isTrue();
        assertThat(ImageInliner.hasImageUrls(withImages())).isFalse();
    }

    @Test
    void aDataUrlIsDecodedWithoutAFetch() throws Exception {
        FETCHES.set(0);
        ChatRequest inlined = inline(withImages("data:image/gif;base64,R0lGODdh"), 1024, 5_000, false);

        assertThat(FETCHES).hasValue(0);
        assertThat(inlined.messages().get(0).content().get(1))
                .isEqualTo(ContentPart.Image.inline("image/gif", "R0lGODdh"));
    }

    @Test
    void anImageOverTheLimitIsRefusedWhetherItsLengthIsDeclaredOrNot() {
        assertThatThrownBy(() -> inline(withImages(url("/big.jpg")), 1024, 5_000, true))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).isEqualTo("messages[0].content[1]");
                    assertThat(e.getMessage()).contains("larger than 1024 bytes");
                });
        assertThatThrownBy(() -> inline(withImages(url("/chunked-big.jpg")), 1024, 5_000, true))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.getMessage()).contains("larger than 1024 bytes"));
    }

    @Test
    void aMissingImageANonImageAndARedirectAreRefusedNamingThePart() {
        assertThatThrownBy(() -> inline(withImages(url("/cat.png"), url("/gone.png")), 1024, 5_000, true))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).isEqualTo("messages[0].content[2]");
                    assertThat(e.getMessage()).contains("HTTP 404").contains("data: URL");
                });
        assertThatThrownBy(() -> inline(withImages(url("/page.html")), 1024, 5_000, true))
                .hasMessageContaining("'text/html', not an image");
        assertThatThrownBy(() -> inline(withImages(url("/moved.png")), 1024, 5_000, true))
                .hasMessageContaining("HTTP 302");
    }

    @Test
    void aSlowImageServerIsGivenUpAfterTheTimeout() {
        assertThatThrownBy(() -> inline(withImages(url("/slow.png")), 1024, 300, true))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.getMessage()).contains("could not be fetched"));
    }

    @Test
    void theGatewayDoesNotFetchFromItsOwnNetworkUnlessAllowed() {
        assertThatThrownBy(() -> inline(withImages(url("/cat.png")), 1024, 5_000, false))
                .hasMessageContaining("private network");
        assertThatThrownBy(() -> inline(withImages("file:///etc/passwd"), 1024, 5_000, false))
                .hasMessageContaining("only http and https");
        assertThat(HttpImageFetcher.isPrivate("10.1.2.3")).isTrue();
        assertThat(HttpImageFetcher.isPrivate("169.254.169.254"))
                .as("cloud metadata")
                .isTrue();
        assertThat(HttpImageFetcher.isPrivate("fd00::1")).isTrue();
        assertThat(HttpImageFetcher.isPrivate("93.184.216.34")).isFalse();
    }
}
