package dev.tollgate.sim;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the simulator plays the OpenAI-compatible vendors and Azure OpenAI: each at its own URL shape, with its own
 * credential check, the parameters it accepts (anything else is a 400, so a test proves the gateway keeps them away),
 * its reasoning field and its way of reporting usage. The table is the simulator's own, written from the vendors'
 * docs, independent of the gateway's {@code VendorProfile}, so that the two check each other.
 *
 * <p>Vendors live under {@code /vendors/{vendor}} followed by the path their docs give the OpenAI SDK: DeepSeek at
 * the root, Zhipu under {@code /api/paas/v4}, Qwen under {@code /compatible-mode/v1}, the others under {@code /v1}.
 * Azure answers {@code /openai/deployments/{deployment}/chat/completions?api-version=…} and {@code
 * /openai/v1/chat/completions} with the {@code api-key} header. A model whose name contains {@code reason} or
 * {@code think} answers with visible reasoning. A prompt containing {@code FILTER-ME} is refused by Azure's content
 * filter.
 */
final class VendorQuirks {
    static final String REASONING = "Let me think about that step by step.";
    private static final Pattern VENDOR = Pattern.compile("/vendors/([a-z]+)(/.*)?/chat/completions");
    private static final Pattern AZURE = Pattern.compile("/openai/(?:deployments/([^/]+)|v1)/chat/completions");
    private static final Set<String> COMMON = Set.of(
            "model",
            "messages",
            "stream",
            "temperature",
            "top_p",
            "max_tokens",
            "stop",
            "tools",
            "tool_choice",
            "response_format");

    /** Per vendor: the path prefix its docs give, the extra parameters it accepts (null = anything), its quirks. */
    record Vendor(String name, String prefix, Set<String> accepts, String reasoningField, boolean usageInChoice) {}

    private static final Map<String, Vendor> VENDORS = Map.of(
            "deepseek",
            new Vendor(
                    "deepseek",
                    "",
                    Set.of("stream_options", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"),
                    "reasoning_content",
                    false),
            "zhipu",
            new Vendor(
                    "zhipu",
                    "/api/paas/v4",
                    Set.of("do_sample", "thinking", "user_id", "request_id", "tool_stream"),
                    "reasoning_content",
                    false),
            "qwen",
            new Vendor(
                    "qwen",
                    "/compatible-mode/v1",
                    Set.of(
                            "stream_options",
                            "presence_penalty",
                            "frequency_penalty",
                            "seed",
                            "n",
                            "logprobs",
                            "top_logprobs",
                            "enable_thinking",
                            "thinking_budget",
                            "parallel_tool_calls",
                            "top_k",
                            "user"),
                    "reasoning_content",
                    false),
            "moonshot",
            new Vendor(
                    "moonshot",
                    "/v1",
                    Set.of("stream_options", "presence_penalty", "frequency_penalty", "n"),
                    "reasoning_content",
                    true),
            "minimax",
            new Vendor("minimax", "/v1", Set.of("stream_options", "reasoning_split"), "reasoning_details", false),
            "siliconflow",
            new Vendor(
                    "siliconflow",
                    "/v1",
                    Set.of("stream_options", "n", "presence_penalty", "frequency_penalty", "top_k"),
                    "reasoning_content",
                    false),
            "ollama",
            new Vendor(
                    "ollama",
                    "/v1",
                    Set.of("stream_options", "seed", "presence_penalty", "frequency_penalty", "reasoning_effort"),
                    "reasoning",
                    false),
            "vllm",
            new Vendor("vllm", "/v1", null, "reasoning", false),
            "azure",
            new Vendor("azure", "/openai", null, null, false));

    private VendorQuirks() {}

    /** The vendor a request path belongs to; null when the path is not a vendor's chat path. */
    static Vendor route(String path) {
        Matcher m = VENDOR.matcher(path);
        if (m.matches()) {
            Vendor v = VENDORS.get(m.group(1));
            String prefix = m.group(2) == null ? "" : m.group(2);
            // A base URL that is not the one the vendor's docs give lands on a 404, as it would at the vendor.
            return v != null && v.prefix().equals(prefix) ? v : null;
        }
        return AZURE.matcher(path).matches() ? VENDORS.get("azure") : null;
    }

    /** Whether the request carries the vendor's credential; null when it does, else why not. */
    static String unauthorized(Vendor v, HttpServerRequest request, String apiKey) {
        if (apiKey == null) {
            return null;
        }
        if (v.name().equals("azure")) {
            return apiKey.equals(request.getHeader("api-key"))
                    ? null
                    : "Access denied due to invalid subscription key.";
        }
        String auth = request.getHeader("authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return "Missing bearer token.";
        }
        String token = auth.substring(7);
        if (token.equals(apiKey)) {
            return null;
        }
        if (v.name().equals("zhipu") && apiKey.indexOf('.') > 0) {
            return zhipuJwt(token, apiKey);
        }
        return "Incorrect API key provided.";
    }

    /** Zhipu's signed form: HS256 with the secret half of {@code id.secret}, {@code api_key} = the id, ms times. */
    private static String zhipuJwt(String token, String apiKey) {
        int dot = apiKey.indexOf('.');
        try {
            DecodedJWT jwt = JWT.require(
                            Algorithm.HMAC256(apiKey.substring(dot + 1).getBytes(StandardCharsets.UTF_8)))
                    .withClaim("api_key", apiKey.substring(0, dot))
                    .build()
                    .verify(token);
            Long exp = jwt.getClaim("exp").asLong();
            if (!"SIGN".equals(jwt.getHeaderClaim("sign_type").asString())
                    || exp == null
                    || exp < System.currentTimeMillis()) {
                return "The token is expired or not in Zhipu's form.";
            }
            return null;
        } catch (JWTVerificationException e) {
            return "The token's signature is invalid.";
        }
    }

    /**
     * A 400 message when the body asks for what the vendor refuses, else null. Azure refuses a deployment URL without
     * {@code api-version}, and a prompt its content filter flags.
     */
    static String refused(Vendor v, HttpServerRequest request, JsonObject body) {
        if (v.name().equals("azure")) {
            if (request.path().contains("/deployments/") && request.getParam("api-version") == null) {
                return "Missing required query parameter: api-version";
            }
            return null;
        }
        if (v.accepts() != null) {
            for (String key : body.fieldNames()) {
                if (!COMMON.contains(key) && !v.accepts().contains(key)) {
                    return "Unrecognized request argument supplied: " + key + " (" + v.name() + ")";
                }
            }
        }
        if (Boolean.TRUE.equals(body.getValue("enable_thinking")) && !Boolean.TRUE.equals(body.getValue("stream"))) {
            return "parameter.enable_thinking must be set to false for non-streaming calls";
        }
        return null;
    }

    /** Whether Azure's content filter cuts the answer short ({@code finish_reason: content_filter}). */
    static boolean filtersAnswer(Vendor v, Buffer body) {
        return v.name().equals("azure") && body.toString().contains("FILTER-OUT");
    }

    /** Whether Azure's content filter refuses the prompt. */
    static boolean filtered(Vendor v, Buffer body) {
        return v.name().equals("azure") && body.toString().contains("FILTER-ME");
    }

    static boolean reasons(String model) {
        return model != null && (model.contains("reason") || model.contains("think"));
    }

    /** Tokens the reasoning costs; reported inside {@code completion_tokens}, as every vendor does. */
    static int reasoningTokens(String model) {
        return reasons(model) ? TokenCounter.count(REASONING) : 0;
    }

    /** A whole answer in the vendor's shape. */
    static JsonObject completion(Vendor v, JsonObject completion, boolean split, boolean filterAnswer) {
        JsonObject out = completion.copy();
        if (filterAnswer) {
            out.getJsonArray("choices").getJsonObject(0).put("finish_reason", "content_filter");
        }
        String model = out.getString("model");
        if (reasons(model)) {
            JsonObject message = out.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
            putReasoning(v, message, REASONING, split);
        }
        out.put("usage", usage(v, out.getJsonObject("usage"), model));
        if (v.name().equals("azure")) {
            out.put("prompt_filter_results", promptFilterResults());
            for (Object c : out.getJsonArray("choices")) {
                ((JsonObject) c).put("content_filter_results", filterResults());
            }
        }
        return out;
    }

    /** A stream in the vendor's shape. */
    static ChatWire.StreamEvents stream(
            Vendor v,
            ChatWire.StreamEvents events,
            String model,
            boolean split,
            boolean usageAsked,
            boolean filterAnswer) {
        List<Buffer> out = new ArrayList<>();
        int choiceEvents = events.choiceEvents();
        JsonObject usage = null;
        for (Buffer event : events.events()) {
            String text = event.toString();
            if (!text.startsWith("data: {")) {
                continue; // [DONE], re-added below
            }
            JsonObject chunk = new JsonObject(text.substring(6).trim());
            JsonArray choices = chunk.getJsonArray("choices");
            if (choices != null && choices.isEmpty() && chunk.getJsonObject("usage") != null) {
                usage = usage(v, chunk.getJsonObject("usage"), model);
                continue;
            }
            if (filterAnswer
                    && choices != null
                    && !choices.isEmpty()
                    && choices.getJsonObject(0).getString("finish_reason") != null) {
                choices.getJsonObject(0)
                        .put("finish_reason", "content_filter")
                        .put(
                                "content_filter_results",
                                filterResults()
                                        .put(
                                                "violence",
                                                new JsonObject()
                                                        .put("filtered", true)
                                                        .put("severity", "high")));
            }
            if (out.isEmpty() && v.name().equals("azure")) {
                // Azure opens with the prompt's filter results: no id, no model, no choices.
                out.add(ChatWire.sse(new JsonObject()
                        .put("choices", new JsonArray())
                        .put("created", 0)
                        .put("id", "")
                        .put("model", "")
                        .put("object", "")
                        .put("prompt_filter_results", promptFilterResults())));
                choiceEvents++;
            }
            out.add(ChatWire.sse(chunk));
            if (out.size() == (v.name().equals("azure") ? 2 : 1) && reasons(model)) {
                JsonObject reasoning = chunk.copy();
                JsonObject delta = new JsonObject();
                putReasoning(v, delta, REASONING, split);
                reasoning.getJsonArray("choices").getJsonObject(0).put("delta", delta);
                out.add(ChatWire.sse(reasoning));
                choiceEvents++;
            }
        }
        if (!usageAsked && !v.name().equals("zhipu") && !v.usageInChoice()) {
            usage = null; // only Zhipu and Moonshot report a stream's usage unasked
        }
        if (usage != null && v.usageInChoice()) {
            // Moonshot: usage inside the last choice chunk, no separate usage chunk.
            int last = choiceEvents - 1;
            JsonObject chunk =
                    new JsonObject(out.get(last).toString().substring(6).trim());
            chunk.getJsonArray("choices").getJsonObject(0).put("usage", usage);
            out.set(last, ChatWire.sse(chunk));
        } else if (usage != null) {
            out.add(ChatWire.sse(new JsonObject()
                    .put("id", "usage")
                    .put("object", "chat.completion.chunk")
                    .put("model", model)
                    .put("choices", new JsonArray())
                    .put("usage", usage)));
        }
        out.add(ChatWire.DONE);
        return new ChatWire.StreamEvents(List.copyOf(out), choiceEvents);
    }

    private static void putReasoning(Vendor v, JsonObject message, String reasoning, boolean split) {
        if ("reasoning_details".equals(v.reasoningField())) {
            if (split) {
                message.put(
                        "reasoning_details",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("type", "reasoning.text")
                                        .put("text", reasoning)));
            } else {
                String content = message.getString("content");
                message.put("content", "<think>" + reasoning + "</think>" + (content == null ? "" : content));
            }
        } else if (v.reasoningField() != null) {
            message.put(v.reasoningField(), reasoning);
        }
    }

    /** The vendor's usage object; reasoning tokens are added to the completion when the model reasons. */
    static JsonObject usage(Vendor v, JsonObject openAi, String model) {
        int prompt = openAi.getInteger("prompt_tokens");
        int reasoning = reasoningTokens(model);
        int completion = openAi.getInteger("completion_tokens") + reasoning;
        JsonObject u = ChatWire.usage(prompt, completion);
        u.getJsonObject("completion_tokens_details").put("reasoning_tokens", reasoning);
        int cached = prompt / 2;
        switch (v.name()) {
            case "deepseek" -> {
                u.remove("prompt_tokens_details");
                u.put("prompt_cache_hit_tokens", cached).put("prompt_cache_miss_tokens", prompt - cached);
            }
            case "moonshot" -> {
                u.remove("prompt_tokens_details");
                u.put("cached_tokens", cached);
            }
            default -> u.getJsonObject("prompt_tokens_details").put("cached_tokens", cached);
        }
        return u;
    }

    private static JsonObject filterResults() {
        JsonObject safe = new JsonObject().put("filtered", false).put("severity", "safe");
        return new JsonObject()
                .put("hate", safe)
                .put("self_harm", safe.copy())
                .put("sexual", safe.copy())
                .put("violence", safe.copy());
    }

    private static JsonArray promptFilterResults() {
        return new JsonArray()
                .add(new JsonObject().put("prompt_index", 0).put("content_filter_results", filterResults()));
    }

    /** Azure's 400 for a prompt its filter flags. */
    static JsonObject contentFilterError() {
        return new JsonObject()
                .put(
                        "error",
                        new JsonObject()
                                .put(
                                        "message",
                                        "The response was filtered due to the prompt triggering Azure OpenAI's content"
                                                + " management policy.")
                                .put("type", null)
                                .put("param", "prompt")
                                .put("code", "content_filter")
                                .put("status", 400)
                                .put(
                                        "innererror",
                                        new JsonObject()
                                                .put("code", "ResponsibleAIPolicyViolation")
                                                .put(
                                                        "content_filter_result",
                                                        filterResults()
                                                                .put(
                                                                        "violence",
                                                                        new JsonObject()
                                                                                .put("filtered", true)
                                                                                .put("severity", "medium")))));
    }
}
