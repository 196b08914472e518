package dev.tollgate.wire.canonical;

import java.util.List;
import java.util.Map;

/**
 * A chat request in no provider's dialect. Optional scalars are null when the caller did not set them, so that an
 * upstream dialect sends only what was asked for (and can tell "unset" from a default).
 *
 * @param model the model name the caller asked for (the gateway's alias, before routing)
 * @param system the system prompt, several system messages joined by a blank line; null when none
 * @param stop stop sequences, empty when none
 * @param n how many alternative answers (OpenAI); null when unset
 * @param logprobs whether token log-probabilities are wanted (OpenAI); null when unset
 * @param topLogprobs how many alternatives per token (OpenAI); null when unset
 * @param includeUsage in a stream, whether the caller wants usage reported (OpenAI {@code stream_options}); the
 *     gateway always asks the provider for it so that metering is exact
 * @param metadata caller metadata; Anthropic carries only {@code user_id}, OpenAI {@code user} maps to it
 * @param sampling seed, penalties and logit bias (OpenAI); {@link Sampling#NONE} when unset
 */
public record ChatRequest(
        String model,
        String system,
        List<Message> messages,
        List<Tool> tools,
        ToolChoice toolChoice,
        Boolean parallelToolCalls,
        ResponseFormat responseFormat,
        List<String> stop,
        Double temperature,
        Double topP,
        Integer topK,
        Integer maxTokens,
        Integer n,
        Boolean logprobs,
        Integer topLogprobs,
        Reasoning reasoning,
        boolean stream,
        boolean includeUsage,
        Map<String, String> metadata,
        Sampling sampling) {

    public ChatRequest {
        sampling = sampling == null ? Sampling.NONE : sampling;
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
        stop = stop == null ? List.of() : List.copyOf(stop);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Without OpenAI's extra sampling knobs (the dialects that have none build requests this way). */
    public ChatRequest(
            String model,
            String system,
            List<Message> messages,
            List<Tool> tools,
            ToolChoice toolChoice,
            Boolean parallelToolCalls,
            ResponseFormat responseFormat,
            List<String> stop,
            Double temperature,
            Double topP,
            Integer topK,
            Integer maxTokens,
            Integer n,
            Boolean logprobs,
            Integer topLogprobs,
            Reasoning reasoning,
            boolean stream,
            boolean includeUsage,
            Map<String, String> metadata) {
        this(
                model,
                system,
                messages,
                tools,
                toolChoice,
                parallelToolCalls,
                responseFormat,
                stop,
                temperature,
                topP,
                topK,
                maxTokens,
                n,
                logprobs,
                topLogprobs,
                reasoning,
                stream,
                includeUsage,
                metadata,
                Sampling.NONE);
    }

    /** The same request with other messages (e.g. its URL images inline). */
    public ChatRequest withMessages(List<Message> other) {
        return new ChatRequest(
                model,
                system,
                other,
                tools,
                toolChoice,
                parallelToolCalls,
                responseFormat,
                stop,
                temperature,
                topP,
                topK,
                maxTokens,
                n,
                logprobs,
                topLogprobs,
                reasoning,
                stream,
                includeUsage,
                metadata,
                sampling);
    }

    /** The same request for another model name (the deployment's upstream model). */
    public ChatRequest withModel(String upstreamModel) {
        return new ChatRequest(
                upstreamModel,
                system,
                messages,
                tools,
                toolChoice,
                parallelToolCalls,
                responseFormat,
                stop,
                temperature,
                topP,
                topK,
                maxTokens,
                n,
                logprobs,
                topLogprobs,
                reasoning,
                stream,
                includeUsage,
                metadata,
                sampling);
    }
}
