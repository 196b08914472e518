package dev.tollgate.wire.openai;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How one OpenAI-compatible provider departs from OpenAI, as data: the one adapter ({@link OpenAiCompatibleDialect})
 * reads it, so that adding a vendor is adding a row here, not copying a dialect.
 *
 * <p>Parameters are named as in OpenAI's request. {@code refused} ones change what the caller gets (more choices,
 * log-probabilities, a biased vocabulary): asking for them gets a 400 naming the parameter and the deployment,
 * unless the provider is configured with {@code drop_unsupported: true}. {@code ignored} ones are hints the vendor
 * does not take (a seed, a penalty): they are left out silently, as the vendor itself would ignore or refuse them.
 *
 * @param vendor the config {@code vendor:} value
 * @param defaultBaseUrl the base URL as the vendor's docs give it to the OpenAI SDK; null when there is no public one
 * @param keyRequired whether {@code api_key} must be configured (a local Ollama or vLLM needs none)
 * @param reasoningField where the vendor puts visible reasoning in answers and expects it back in history:
 *     {@code reasoning_content} (DeepSeek, Qwen, Moonshot, Zhipu, SiliconFlow), {@code reasoning} (vLLM, Ollama) or
 *     {@code reasoning_details} (MiniMax with {@code reasoning_split}); answers are read whichever field they use
 * @param thinking how a caller's request for reasoning (OpenAI {@code reasoning_effort}, Anthropic {@code thinking})
 *     is written
 * @param streamUsageOption whether {@code stream_options.include_usage} may be sent; when not, the vendor reports
 *     usage in its last chunk unasked
 * @param maxTokensDefault {@code max_tokens} sent when the caller gave none; 0 = send none (the config's
 *     {@code max_tokens_default} applies only where a provider requires one)
 * @param maxTokensLimit larger {@code max_tokens} are clamped to this; 0 = no clamp (config {@code max_tokens_limit}
 *     overrides)
 */
public record VendorProfile(
        String vendor,
        URI defaultBaseUrl,
        boolean keyRequired,
        String reasoningField,
        Thinking thinking,
        Set<String> refused,
        Set<String> ignored,
        boolean streamUsageOption,
        int maxTokensDefault,
        int maxTokensLimit) {

    /** How a request for reasoning is written. */
    public enum Thinking {
        /** {@code reasoning_effort: low|medium|high} (OpenAI, vLLM, Ollama, SiliconFlow, Moonshot). */
        REASONING_EFFORT,
        /** Qwen: {@code enable_thinking: true}, which DashScope accepts only on streamed requests. */
        ENABLE_THINKING_STREAM_ONLY,
        /** Zhipu GLM: {@code thinking: {"type": "enabled"}}. */
        THINKING_OBJECT,
        /** MiniMax: the model always reasons; {@code reasoning_split: true} asks for it apart from the content. */
        REASONING_SPLIT,
        /** DeepSeek: the model decides (deepseek-reasoner always reasons); nothing is sent. */
        BY_MODEL
    }

    public VendorProfile {
        refused = Set.copyOf(refused);
        ignored = Set.copyOf(ignored);
    }

    /** OpenAI itself ({@code type: openai}) and Azure OpenAI: nothing refused, nothing dropped. */
    public static final VendorProfile OPENAI = new VendorProfile(
            "openai",
            URI.create("https://api.openai.com/v1"),
            true,
            "reasoning_content",
            Thinking.REASONING_EFFORT,
            Set.of(),
            Set.of(),
            true,
            0,
            0);

    private static final Map<String, VendorProfile> VENDORS = vendors();

    private static Map<String, VendorProfile> vendors() {
        Map<String, VendorProfile> v = new TreeMap<>();
        for (VendorProfile p : List.of(
                // api-docs.deepseek.com: OpenAI SDK base_url "https://api.deepseek.com"; no n, no logit_bias, no seed.
                new VendorProfile(
                        "deepseek",
                        URI.create("https://api.deepseek.com"),
                        true,
                        "reasoning_content",
                        Thinking.BY_MODEL,
                        Set.of("n", "logit_bias"),
                        Set.of("seed", "parallel_tool_calls", "reasoning_effort", "user"),
                        true,
                        0,
                        0),
                // docs.bigmodel.cn: "https://open.bigmodel.cn/api/paas/v4/"; usage always in the last chunk.
                new VendorProfile(
                        "zhipu",
                        URI.create("https://open.bigmodel.cn/api/paas/v4"),
                        true,
                        "reasoning_content",
                        Thinking.THINKING_OBJECT,
                        Set.of("n", "logprobs", "top_logprobs", "logit_bias"),
                        Set.of("seed", "presence_penalty", "frequency_penalty", "parallel_tool_calls", "user"),
                        false,
                        0,
                        0),
                // help.aliyun.com DashScope compatible mode: thinking only when streaming.
                new VendorProfile(
                        "qwen",
                        URI.create("https://dashscope.aliyuncs.com/compatible-mode/v1"),
                        true,
                        "reasoning_content",
                        Thinking.ENABLE_THINKING_STREAM_ONLY,
                        Set.of("logit_bias"),
                        Set.of(),
                        true,
                        0,
                        0),
                // platform.moonshot.ai: usage of a stream comes inside the last choice.
                new VendorProfile(
                        "moonshot",
                        URI.create("https://api.moonshot.ai/v1"),
                        true,
                        "reasoning_content",
                        Thinking.BY_MODEL,
                        Set.of("logprobs", "top_logprobs", "logit_bias"),
                        Set.of("seed", "parallel_tool_calls", "reasoning_effort", "user"),
                        true,
                        0,
                        0),
                // platform.minimax.io: n must be 1; reasoning apart from content only with reasoning_split.
                new VendorProfile(
                        "minimax",
                        URI.create("https://api.minimax.io/v1"),
                        true,
                        "reasoning_details",
                        Thinking.REASONING_SPLIT,
                        Set.of("n", "logprobs", "top_logprobs", "logit_bias"),
                        Set.of(
                                "seed",
                                "presence_penalty",
                                "frequency_penalty",
                                "parallel_tool_calls",
                                "reasoning_effort",
                                "user"),
                        true,
                        0,
                        0),
                new VendorProfile(
                        "siliconflow",
                        URI.create("https://api.siliconflow.cn/v1"),
                        true,
                        "reasoning_content",
                        Thinking.BY_MODEL,
                        Set.of("logprobs", "top_logprobs", "logit_bias"),
                        Set.of("seed", "parallel_tool_calls", "reasoning_effort", "user"),
                        true,
                        0,
                        0),
                // Ollama's OpenAI compatibility: http://localhost:11434/v1/ ; no logprobs, no n, no logit_bias.
                new VendorProfile(
                        "ollama",
                        URI.create("http://localhost:11434/v1"),
                        false,
                        "reasoning",
                        Thinking.REASONING_EFFORT,
                        Set.of("n", "logprobs", "top_logprobs", "logit_bias"),
                        Set.of("parallel_tool_calls", "user"),
                        true,
                        0,
                        0),
                // vLLM's OpenAI-compatible server (vllm serve): everything OpenAI has; reasoning as "reasoning".
                new VendorProfile(
                        "vllm",
                        URI.create("http://localhost:8000/v1"),
                        false,
                        "reasoning",
                        Thinking.REASONING_EFFORT,
                        Set.of(),
                        Set.of(),
                        true,
                        0,
                        0))) {
            v.put(p.vendor(), p);
        }
        return Map.copyOf(v);
    }

    /** The vendors config {@code vendor:} accepts. */
    public static Set<String> vendorNames() {
        return new java.util.TreeSet<>(VENDORS.keySet());
    }

    /** The profile of a vendor name (case-insensitive); null when unknown. */
    public static VendorProfile of(String vendor) {
        return vendor == null ? null : VENDORS.get(vendor.toLowerCase(Locale.ROOT));
    }
}
