package dev.tollgate.bench;

import java.nio.charset.StandardCharsets;

/** Realistic OpenAI payloads for the benchmarks, built once. */
final class BenchBodies {
    private BenchBodies() {}

    /** A chat request of about 2 KB: system prompt, a few turns, sampling parameters and one tool. */
    static byte[] chatRequest(boolean stream) {
        StringBuilder b = new StringBuilder(2304);
        b.append("{\"model\":\"chat-small\",");
        if (stream) {
            b.append("\"stream\":true,");
        }
        b.append("\"messages\":[");
        b.append("{\"role\":\"system\",\"content\":\"You are a careful assistant for a travel agency. Answer briefly,"
                + " cite prices in EUR, and never invent opening hours. If you are unsure, say so and suggest"
                + " checking the official website. Use the tools when a booking is requested.\"},");
        b.append("{\"role\":\"user\",\"content\":\"We are two adults and a child (8) planning four days in Paris"
                + " in late May. Which museums are worth it for a child, and is the Paris Museum Pass a good deal"
                + " for us? We arrive Thursday evening.\"},");
        b.append("{\"role\":\"assistant\",\"content\":\"For an 8-year-old the Cit\\u00e9 des Sciences, the Mus\\u00e9e"
                + " de l'Homme and the Grande Galerie de l'\\u00c9volution are the favourites; the Louvre works in"
                + " short doses (Egyptian rooms, Napoleon III apartments). Under-18s enter most national museums"
                + " free, so the pass only pays off for the adults if you visit three or more paid sites a day.\"},");
        b.append("{\"role\":\"user\",\"content\":\"Great. Please also check whether the Orsay is open on Monday"
                + " and book a table for three near the Jardin du Luxembourg on Friday at 19:30, something"
                + " child-friendly, mid-range, ideally French cuisine.\"}],");
        b.append("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"book_table\",\"description\":\"Books a"
                + " restaurant table\",\"parameters\":{\"type\":\"object\",\"properties\":{\"area\":{\"type\":"
                + "\"string\"},\"time\":{\"type\":\"string\",\"description\":\"ISO 8601 local time\"},\"party\":"
                + "{\"type\":\"integer\",\"minimum\":1},\"notes\":{\"type\":\"string\"}},\"required\":[\"area\","
                + "\"time\",\"party\"]}}}],");
        b.append("\"tool_choice\":\"auto\",\"temperature\":0.3,\"top_p\":0.9,\"max_tokens\":512,"
                + "\"presence_penalty\":0,\"frequency_penalty\":0.1,\"user\":\"tenant-42/user-1337\","
                + "\"metadata\":{\"session\":\"7f3c2a9e-5b1d-4c8e-9a0f-2d6b8e1c4a57\",\"channel\":\"web\"}}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A non-streamed chat.completion of about 1 KB, usage last as OpenAI sends it. */
    static byte[] chatCompletion() {
        String json = "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion\","
                + "\"created\":1741569952,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"The Mus\\u00e9e d'Orsay is closed on Mondays; it opens"
                + " Tuesday to Sunday from 9:30 to 18:00, with late opening until 21:45 on Thursdays. Children"
                + " under 18 enter free, adults pay 16 EUR (or use the Museum Pass). For Friday I found a"
                + " bistro two streets from the Jardin du Luxembourg with a children's menu and tables at"
                + " 19:30; shall I book it for three?\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":412,\"completion_tokens\":96,"
                + "\"total_tokens\":508,\"prompt_tokens_details\":{\"cached_tokens\":256,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
                + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_f9f4fb6dbf\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A streamed chat completion with exactly {@code events} events: the role chunk, content chunks, the finish
     * chunk, the usage chunk and {@code [DONE]}.
     */
    static byte[] chatStream(int events) {
        String head = "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1741569952,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\","
                + "\"system_fingerprint\":\"fp_f9f4fb6dbf\",\"choices\":";
        String[] words = {
            "The",
            " Mus\\u00e9e",
            " d'Orsay",
            " is",
            " closed",
            " on",
            " Mondays",
            ";",
            " it",
            " opens",
            " Tuesday",
            " to",
            " Sunday",
            " from",
            " 9:30",
            " to",
            " 18:00",
            ",",
            " with",
            " a",
            " late",
            " opening",
            " on",
            " Thursdays",
            "."
        };
        StringBuilder b = new StringBuilder(events * 260);
        b.append(head)
                .append("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},")
                .append("\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        for (int i = 0; i < events - 4; i++) {
            b.append(head)
                    .append("[{\"index\":0,\"delta\":{\"content\":\"")
                    .append(words[i % words.length])
                    .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        b.append(head).append("[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],");
        b.append("\"usage\":null}\n\n");
        b.append(head)
                .append("[],\"usage\":{\"prompt_tokens\":412,\"completion_tokens\":")
                .append(events - 4)
                .append(",\"total_tokens\":")
                .append(412 + events - 4)
                .append(",\"prompt_tokens_details\":{\"cached_tokens\":256,\"audio_tokens\":0},")
                .append("\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,")
                .append("\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
        b.append("data: [DONE]\n\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A typical usage record of one chat completion. */
    static dev.tollgate.meter.UsageRecord usageRecord(String requestId) {
        return new dev.tollgate.meter.UsageRecord(
                requestId,
                java.time.Instant.now(),
                "acme",
                "key_0123456789abcdef",
                "chat",
                "chat-small",
                "sim-a",
                "sim-chat",
                "sim-a/sim-chat",
                "sg",
                new dev.tollgate.wire.Usage(412, 96, 0, 0),
                false,
                dev.tollgate.meter.UsageStatus.OK,
                200,
                12,
                false,
                1);
    }
}
