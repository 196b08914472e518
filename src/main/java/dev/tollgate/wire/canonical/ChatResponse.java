package dev.tollgate.wire.canonical;

import java.util.List;

/**
 * A whole (non-streamed) answer: one choice.
 *
 * @param content the assistant's parts in order (thinking, text, tool calls)
 * @param stopSequence the stop sequence that ended the answer, when the provider says which; else null
 * @param usage null when the provider reported none
 */
public record ChatResponse(
        String id,
        String model,
        List<ContentPart> content,
        FinishReason finishReason,
        String stopSequence,
        TokenUsage usage) {
    public ChatResponse {
        content = List.copyOf(content);
    }
}
