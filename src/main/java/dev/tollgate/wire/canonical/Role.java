package dev.tollgate.wire.canonical;

/**
 * Who speaks a turn. System prompts live in {@link ChatRequest#system()}, tool results in user turns (as
 * {@link ContentPart.ToolResult}), the way Anthropic, Gemini and Bedrock hold them; the OpenAI dialect maps them to
 * its {@code system} and {@code tool} messages.
 */
public enum Role {
    USER,
    ASSISTANT
}
