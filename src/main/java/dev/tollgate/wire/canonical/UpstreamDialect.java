package dev.tollgate.wire.canonical;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The API a provider speaks (config {@code type:}): encodes canonical requests into its HTTP requests and decodes its
 * answers, streams and errors. Implementations are stateless and thread-safe; the per-stream state lives in the
 * {@link StreamDecoder} they hand out.
 */
public interface UpstreamDialect {

    /** The provider type as written in the configuration: {@code openai}, {@code anthropic}, … */
    String type();

    /**
     * The request for {@code call}'s deployment. Fills in what the provider requires (a default {@code max_tokens}),
     * clamps what it limits, and refuses what it cannot do unless {@code call.dropUnsupported()}.
     */
    UpstreamRequest encodeRequest(ChatRequest request, UpstreamCall call) throws UnsupportedParameterException;

    /**
     * Whether the provider takes images by URL. When not (Gemini, Bedrock), the gateway fetches them first and sends
     * them inline ({@link ImageInliner}).
     */
    default boolean acceptsImageUrls() {
        return true;
    }

    /** A whole 2xx answer. */
    ChatResponse decodeResponse(byte[] body) throws UpstreamFormatException;

    /** A fresh decoder for one streamed 2xx answer. */
    StreamDecoder streamDecoder();

    /**
     * A non-2xx answer, understood: 429 with its retry-after, 529/503 overloaded, context length exceeded whatever
     * the wording, and so on.
     *
     * @param header looks up a response header by (case-insensitive) name; null when absent
     * @param body the start of the error body (may be truncated, may not be JSON)
     * @param nowMillis wall-clock time, for retry-after given as an HTTP date
     */
    ProviderError mapError(int status, Function<String, String> header, byte[] body, long nowMillis);

    /** Stateful, single-threaded: turns a provider's stream bytes, in chunks as they arrive, into events. */
    interface StreamDecoder {
        /** Decodes what {@code bytes[offset, offset+length)} completes; keeps the rest for the next call. */
        void feed(byte[] bytes, int offset, int length, Consumer<StreamEvent> out) throws UpstreamFormatException;

        /**
         * The provider's bytes ended. Returns true when the stream had ended properly (its terminal event seen);
         * false when it was cut.
         */
        boolean end(Consumer<StreamEvent> out) throws UpstreamFormatException;
    }
}
