package dev.tollgate.wire.canonical;

import dev.tollgate.wire.GatewayError;

/**
 * The API a caller speaks (OpenAI Chat Completions, Anthropic Messages, …): decodes its requests and encodes
 * answers, stream events and errors back into it. Implementations are stateless and thread-safe; the per-stream
 * state lives in the {@link StreamEncoder} they hand out.
 */
public interface IngressDialect {

    /** A short name: {@code openai}, {@code anthropic}. */
    String name();

    /** Parses and validates a request body. */
    ChatRequest decodeRequest(byte[] body) throws BadRequestException;

    /** A whole answer in the caller's shape. {@code requestId} is the gateway's, for the dialects that carry one. */
    byte[] encodeResponse(ChatResponse response, ChatRequest request, String requestId);

    /** A fresh encoder for one streamed answer to {@code request}. */
    StreamEncoder streamEncoder(ChatRequest request, String requestId);

    /** An error response body in the caller's shape, carrying the request id. */
    byte[] encodeError(GatewayError error, String requestId);

    /** Stateful, single-threaded: turns canonical events into the caller's stream bytes. */
    interface StreamEncoder {
        /** The bytes for one event; empty when the event has no counterpart in this dialect (yet). */
        byte[] encode(StreamEvent event);

        /**
         * The bytes that end a stream the provider broke off (cut or failed) after it started: an error event in the
         * caller's dialect. Called at most once, instead of any further {@link #encode}.
         */
        byte[] fail(GatewayError error);

        /** The bytes that close a stream after its last event (e.g. OpenAI's {@code [DONE]}); may be empty. */
        byte[] end();
    }
}
