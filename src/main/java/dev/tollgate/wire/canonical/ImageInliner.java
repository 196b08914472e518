package dev.tollgate.wire.canonical;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns the URL images of a request into inline (base64) ones, for an upstream dialect that refuses URLs
 * ({@link UpstreamDialect#acceptsImageUrls()}). Each distinct URL is fetched once, all of them at the same time;
 * {@code data:} URLs are decoded in place without a fetch. When one fetch fails, the whole request fails with a
 * {@link BadRequestException} naming the message and part, so that the caller learns which image to fix.
 */
public final class ImageInliner {
    private final ImageFetcher fetcher;

    public ImageInliner(ImageFetcher fetcher) {
        this.fetcher = fetcher;
    }

    /** Whether {@code request} holds an image by (non-{@code data:}) URL. */
    public static boolean hasImageUrls(ChatRequest request) {
        for (Message m : request.messages()) {
            for (ContentPart p : m.content()) {
                if (p instanceof ContentPart.Image image && image.isUrl()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The request with every URL image inline. Completes exceptionally with a {@link BadRequestException} when an
     * image cannot be fetched.
     */
    public CompletionStage<ChatRequest> inline(ChatRequest request) {
        Map<String, String> where = new LinkedHashMap<>();
        Map<String, CompletableFuture<ContentPart.Image>> fetches = new LinkedHashMap<>();
        for (int i = 0; i < request.messages().size(); i++) {
            List<ContentPart> content = request.messages().get(i).content();
            for (int j = 0; j < content.size(); j++) {
                if (content.get(j) instanceof ContentPart.Image image && image.isUrl()) {
                    String param = "messages[" + i + "].content[" + j + "]";
                    where.putIfAbsent(image.url(), param);
                    fetches.computeIfAbsent(image.url(), url -> fetch(url, param));
                }
            }
        }
        if (fetches.isEmpty()) {
            return CompletableFuture.completedFuture(request);
        }
        return CompletableFuture.allOf(fetches.values().toArray(CompletableFuture[]::new))
                .thenApply(done -> replace(request, fetches));
    }

    private CompletableFuture<ContentPart.Image> fetch(String url, String param) {
        CompletableFuture<ContentPart.Image> result = new CompletableFuture<>();
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            int marker = url.indexOf(";base64,");
            if (marker < 0) {
                result.completeExceptionally(new BadRequestException(
                        "The image at '" + param + "' is a data: URL without ';base64,'.", param));
            } else {
                result.complete(ContentPart.Image.inline(url.substring(5, marker), url.substring(marker + 8)));
            }
            return result;
        }
        CompletionStage<ImageFetcher.FetchedImage> fetched;
        try {
            fetched = fetcher.fetch(url);
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        fetched.whenComplete((image, failure) -> {
            if (failure == null) {
                result.complete(ContentPart.Image.inline(
                        image.mediaType(), Base64.getEncoder().encodeToString(image.bytes())));
                return;
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause()
                    : failure;
            String why = cause instanceof ImageFetchException ? cause.getMessage() : "the fetch failed";
            result.completeExceptionally(new BadRequestException(
                    "The image URL at '" + param + "' could not be fetched for a provider that takes images only"
                            + " inline: " + why + ". Send the image as base64 (a data: URL) instead.",
                    param));
        });
        return result;
    }

    private static ChatRequest replace(ChatRequest request, Map<String, CompletableFuture<ContentPart.Image>> images) {
        List<Message> messages = new ArrayList<>(request.messages().size());
        for (Message m : request.messages()) {
            List<ContentPart> parts = new ArrayList<>(m.content().size());
            for (ContentPart p : m.content()) {
                parts.add(
                        p instanceof ContentPart.Image image && image.isUrl()
                                ? images.get(image.url()).join()
                                : p);
            }
            messages.add(new Message(m.role(), parts));
        }
        return request.withMessages(messages);
    }
}
