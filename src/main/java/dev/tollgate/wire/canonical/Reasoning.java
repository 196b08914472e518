package dev.tollgate.wire.canonical;

/**
 * The caller asks for visible reasoning: Anthropic {@code thinking.budget_tokens}, OpenAI {@code reasoning_effort}.
 * Either field may be null.
 */
public record Reasoning(Integer budgetTokens, String effort) {}
