package dev.tollgate.wire.canonical;

import java.util.concurrent.CompletionStage;

/**
 * The port through which images given by URL are fetched, for providers that take images only inline (Gemini,
 * Bedrock). The transport (the server's HTTP client) implements it; the domain only asks. An implementation enforces
 * its size limit and timeout and completes exceptionally with {@link ImageFetchException} when it cannot deliver.
 */
@FunctionalInterface
public interface ImageFetcher {

    /** The image at {@code url}: its media type and bytes. */
    CompletionStage<FetchedImage> fetch(String url);

    /** An image as fetched. {@code mediaType} is the response's {@code content-type} without parameters. */
    record FetchedImage(String mediaType, byte[] bytes) {}
}
