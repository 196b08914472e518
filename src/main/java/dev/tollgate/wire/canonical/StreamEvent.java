package dev.tollgate.wire.canonical;

import dev.tollgate.wire.GatewayError;

/**
 * One step of a streamed answer, in no provider's dialect. A well-formed stream is: {@link MessageStart}, then any
 * number of deltas, {@link UsageReport}s anywhere after the start, then exactly one {@link Finish}; a stream that
 * breaks ends with {@link Failure} instead (or with nothing, when the bytes simply stop: the decoder's {@code end}
 * says so).
 *
 * <p>Tool calls carry {@code index}, their position among the answer's tool calls (0, 1, …), which is what OpenAI
 * streams carry; an Anthropic encoder maps it to its content-block index, and a decoder of a dialect without
 * indexes (Gemini) numbers them itself.
 */
public sealed interface StreamEvent {

    /** The answer begins. {@code usage} is what the provider reported up front (Anthropic: the input tokens), or null. */
    record MessageStart(String id, String model, TokenUsage usage) implements StreamEvent {}

    record TextDelta(String text) implements StreamEvent {}

    /** A piece of visible reasoning. */
    record ReasoningDelta(String text) implements StreamEvent {}

    /** The signature closing the current reasoning block (Anthropic {@code signature_delta}). */
    record ReasoningSignature(String signature) implements StreamEvent {}

    /** A whole redacted reasoning block. */
    record RedactedReasoning(String data) implements StreamEvent {}

    /** A tool call begins; its arguments follow as {@link ToolCallDelta}s with the same index. */
    record ToolCallStart(int index, String id, String name) implements StreamEvent {}

    /** A fragment of a tool call's JSON arguments. */
    record ToolCallDelta(int index, String argumentsFragment) implements StreamEvent {}

    /**
     * Cumulative usage so far (providers report it at the start, at the end, or both); the last report wins field by
     * field ({@link TokenUsage#merge}).
     */
    record UsageReport(TokenUsage usage) implements StreamEvent {}

    /** The model stopped. Usage may still follow (OpenAI sends its usage chunk after the finish). */
    record Finish(FinishReason reason, String stopSequence) implements StreamEvent {}

    /** The provider reported an error inside the stream (e.g. Anthropic's {@code overloaded_error} after a 200). */
    record Failure(GatewayError error) implements StreamEvent {}
}
