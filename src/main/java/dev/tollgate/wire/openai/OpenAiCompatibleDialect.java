package dev.tollgate.wire.openai;

import dev.tollgate.wire.canonical.ChatRequest;
import dev.tollgate.wire.canonical.ChatResponse;
import dev.tollgate.wire.canonical.ProviderError;
import dev.tollgate.wire.canonical.UnsupportedParameterException;
import dev.tollgate.wire.canonical.UpstreamCall;
import dev.tollgate.wire.canonical.UpstreamDialect;
import dev.tollgate.wire.canonical.UpstreamFormatException;
import dev.tollgate.wire.canonical.UpstreamRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The one adapter for every provider that speaks OpenAI Chat Completions with a difference: the vendors of config
 * {@code type: openai-compatible} (their differences are a {@link VendorProfile}) and Azure OpenAI ({@code type:
 * azure}, whose difference is the URL). Answers, streams and errors are OpenAI's, read by {@link OpenAiDialect}, which
 * already accepts every vendor's reasoning and usage fields.
 */
public final class OpenAiCompatibleDialect implements UpstreamDialect {
    private final String type;
    private final VendorProfile vendor;
    /** Azure's {@code api-version} for deployment URLs; null for the vendors and for Azure's v1 endpoint. */
    private final String azureApiVersion;

    private OpenAiCompatibleDialect(String type, VendorProfile vendor, String azureApiVersion) {
        this.type = type;
        this.vendor = vendor;
        this.azureApiVersion = azureApiVersion;
    }

    /** An {@code openai-compatible} provider of {@code vendor}. */
    public static OpenAiCompatibleDialect vendor(VendorProfile vendor) {
        return new OpenAiCompatibleDialect("openai-compatible", vendor, null);
    }

    /**
     * Azure OpenAI. With an {@code apiVersion}, requests go to {@code /openai/deployments/{deployment}/chat/completions
     * ?api-version=…} below the resource URL, the deployment being the configured model; without one, to the v1
     * endpoint ({@code …/openai/v1/chat/completions}, the deployment as {@code model}).
     */
    public static OpenAiCompatibleDialect azure(String apiVersion) {
        return new OpenAiCompatibleDialect("azure", VendorProfile.OPENAI, apiVersion);
    }

    public VendorProfile profile() {
        return vendor;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public UpstreamRequest encodeRequest(ChatRequest r, UpstreamCall call) throws UnsupportedParameterException {
        // A refused parameter with a harmless value (n = 1, logprobs = false) is left out too.
        Set<String> omit = new LinkedHashSet<>(vendor.ignored());
        omit.addAll(vendor.refused());
        for (String param : asked(r)) {
            boolean stream = param.equals("reasoning_effort") && thinkingRefused(r);
            if (stream) {
                omit.add(param);
            }
            if (vendor.refused().contains(param) || stream) {
                if (!call.dropUnsupported()) {
                    throw new UnsupportedParameterException(
                            param,
                            "Deployment '" + call.deployment() + "' (" + vendor.vendor() + ") does not support '"
                                    + param + "'" + why(param, r) + ". Remove it, or set drop_unsupported: true on"
                                    + " the provider to have it dropped.");
                }
            }
        }
        int limit = call.maxTokensLimit() > 0 ? call.maxTokensLimit() : vendor.maxTokensLimit();
        Integer max = r.maxTokens();
        if (max == null && vendor.maxTokensDefault() > 0) {
            max = vendor.maxTokensDefault();
        }
        if (max != null && limit > 0 && max > limit) {
            max = limit;
        }
        Integer maxTokens = max;
        byte[] body = OpenAiDialect.Fields.write(
                g -> OpenAiDialect.writeRequest(g, r, call.model(), vendor, omit, maxTokens));
        String path = azureApiVersion == null
                ? "/chat/completions"
                : "/openai/deployments/" + URLEncoder.encode(call.model(), StandardCharsets.UTF_8)
                        + "/chat/completions?api-version=" + URLEncoder.encode(azureApiVersion, StandardCharsets.UTF_8);
        return new UpstreamRequest(path, Map.of("accept", r.stream() ? "text/event-stream" : "application/json"), body);
    }

    /** Qwen thinks only in streamed answers: DashScope refuses {@code enable_thinking} on a whole one. */
    private boolean thinkingRefused(ChatRequest r) {
        return vendor.thinking() == VendorProfile.Thinking.ENABLE_THINKING_STREAM_ONLY && !r.stream();
    }

    private String why(String param, ChatRequest r) {
        return switch (param) {
            case "n" -> " with n = " + r.n() + ": it answers one choice";
            case "reasoning_effort" ->
                thinkingRefused(r) ? " on a non-streamed request: it reasons only in streams" : "";
            default -> "";
        };
    }

    /** The parameters of {@code r} that a vendor may refuse or ignore, by their OpenAI names. */
    private static Set<String> asked(ChatRequest r) {
        Set<String> asked = new LinkedHashSet<>();
        if (r.n() != null && r.n() > 1) {
            asked.add("n");
        }
        if (Boolean.TRUE.equals(r.logprobs())) {
            asked.add("logprobs");
        }
        if (r.topLogprobs() != null) {
            asked.add("top_logprobs");
        }
        if (r.sampling().logitBias() != null) {
            asked.add("logit_bias");
        }
        if (r.reasoning() != null) {
            asked.add("reasoning_effort");
        }
        return asked;
    }

    @Override
    public ChatResponse decodeResponse(byte[] body) throws UpstreamFormatException {
        return OpenAiDialect.INSTANCE.decodeResponse(body);
    }

    @Override
    public StreamDecoder streamDecoder() {
        return OpenAiDialect.INSTANCE.streamDecoder();
    }

    @Override
    public ProviderError mapError(int status, Function<String, String> header, byte[] body, long nowMillis) {
        return OpenAiDialect.INSTANCE.mapError(status, header, body, nowMillis);
    }
}
