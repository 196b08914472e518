package dev.tollgate.wire.canonical;

/**
 * Why the model stopped, finer than any one dialect so that each can map to its nearest value:
 *
 * <pre>
 * canonical               OpenAI          Anthropic                       Gemini       Bedrock
 * STOP                    stop            end_turn                        STOP         end_turn
 * STOP_SEQUENCE           stop            stop_sequence                   STOP         stop_sequence
 * LENGTH                  length          max_tokens                      MAX_TOKENS   max_tokens
 * CONTEXT_WINDOW_EXCEEDED length          model_context_window_exceeded   —            model_context_window_exceeded
 * TOOL_CALLS              tool_calls      tool_use                        (STOP)       tool_use
 * CONTENT_FILTER          content_filter  refusal                         SAFETY, …    guardrail_intervened, content_filtered
 * PAUSE_TURN              stop            pause_turn                      —            —
 * </pre>
 */
public enum FinishReason {
    STOP,
    STOP_SEQUENCE,
    LENGTH,
    CONTEXT_WINDOW_EXCEEDED,
    TOOL_CALLS,
    CONTENT_FILTER,
    PAUSE_TURN
}
