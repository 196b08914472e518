package dev.tollgate.guard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Seeded, labelled traffic over four weeks in the trace format of docs/guard.md: benign kinds (the hard ones marked)
 * and distillation campaigns, as described in issue 6. Every event is a trace line plus its label.
 */
final class TrafficGenerator {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
    static final long DAY = 86_400_000L;
    static final long HOUR = 3_600_000L;
    /** The day a new model is released: campaigns move half their traffic onto it within a day. */
    static final int RELEASE_DAY = 14;

    static final String OLD_MODEL = "frontier-1";
    static final String NEW_MODEL = "frontier-2";
    static final String SMALL_MODEL = "fast-1";

    enum Kind {
        CONSUMER_CHAT(false, false),
        RAG_SUPPORT_BOT(false, false),
        CODING_AGENT(false, false),
        BATCH_EXTRACTION(false, true),
        EVAL_HARNESS(false, true),
        SYNTHETIC_DATA(false, true),
        LLM_JUDGE(false, true),
        RESELLER(false, true),
        TUTORING(false, true),
        NAIVE(true, false),
        REASONING_HARVESTER(true, false),
        HYDRA(true, false),
        LOW_AND_SLOW(true, false),
        PARAPHRASER(true, false),
        RESELLER_HIDDEN(true, false);

        final boolean campaign;
        final boolean hard;

        Kind(boolean campaign, boolean hard) {
            this.campaign = campaign;
            this.hard = hard;
        }
    }

    /** One trace line with its truth. */
    record Event(long ts, ObjectNode line, String account, Kind kind, String campaign) {}

    /** Accounts with a declared use: allowlisted in the evaluation, as an operator would. */
    final List<String> declared = new ArrayList<>();

    private final Random r;
    private final List<Event> events = new ArrayList<>();

    TrafficGenerator(long seed) {
        this.r = new Random(seed);
    }

    List<Event> generate() {
        consumers();
        ragBots();
        codingAgents();
        batchExtraction();
        evalHarness();
        syntheticData();
        judges();
        reseller();
        tutoring();
        naive();
        harvester();
        hydra();
        lowAndSlow();
        paraphraser();
        resellerHidden();
        events.sort(Comparator.comparingLong(Event::ts));
        return events;
    }

    // ---- benign ----

    private void consumers() {
        for (int i = 0; i < 400; i++) {
            String acct = "consumer-" + i;
            String ip = "10.1." + r.nextInt(60) + "." + r.nextInt(256); // carrier NAT: some share an address
            int sessions = 2 + r.nextInt(25);
            for (int s = 0; s < sessions; s++) {
                long t = randomTime(0, 28);
                int turns = 1 + r.nextInt(5);
                ArrayNode messages = JSON.createArrayNode();
                for (int k = 0; k < turns; k++) {
                    if (k > 0) {
                        messages.add(msg("assistant", sentence(30)));
                    }
                    messages.add(msg("user", r.nextInt(10) == 0 ? "Explain step by step: " + question() : chatty()));
                    long pt = 30L + 80L * k + r.nextInt(60);
                    boolean reasoning = r.nextInt(10) == 0;
                    emit(
                            t,
                            acct,
                            acct,
                            Kind.CONSUMER_CHAT,
                            null,
                            adopt(t, 0.3),
                            messages.deepCopy(),
                            pt,
                            40 + r.nextInt(400),
                            reasoning ? r.nextInt(200) : 0,
                            ip,
                            "card-c" + i,
                            "web-" + r.nextInt(5));
                    t += 20_000 + r.nextInt(120_000);
                }
            }
        }
    }

    private void ragBots() {
        for (int i = 0; i < 10; i++) {
            String acct = "rag-" + i;
            String system = "You are the support assistant of " + word() + " " + word()
                    + ". Answer only from the context. If the answer is not in the context, say you do not know."
                    + " Be concise and friendly. Cite the article title.";
            int n = 600 + r.nextInt(800);
            for (int k = 0; k < n; k++) {
                long t = businessHours();
                ArrayNode m = JSON.createArrayNode();
                m.add(msg("system", system));
                m.add(msg("user", "Context:\n" + sentence(120) + "\n\nCustomer question: " + chatty()));
                emit(
                        t,
                        acct,
                        "rag-org-" + i,
                        Kind.RAG_SUPPORT_BOT,
                        null,
                        SMALL_MODEL,
                        m,
                        1500 + r.nextInt(1500),
                        80 + r.nextInt(200),
                        0,
                        "172.16." + i + ".5",
                        "card-rag" + i,
                        "rag-sdk");
            }
        }
    }

    private void codingAgents() {
        for (int i = 0; i < 60; i++) {
            String acct = "coder-" + i;
            int tasks = 10 + r.nextInt(30);
            for (int k = 0; k < tasks; k++) {
                long t = randomTime(0, 28);
                int steps = 3 + r.nextInt(12);
                ArrayNode m = JSON.createArrayNode();
                m.add(msg("system", "You are a coding agent working in the repository. Use the tools."));
                m.add(msg(
                        "user", "Fix the failing test in " + word() + "/" + word() + ".java; think through the cause"));
                for (int s = 0; s < steps; s++) {
                    ObjectNode line = emit(
                            t,
                            acct,
                            "coder-org-" + (i / 3),
                            Kind.CODING_AGENT,
                            null,
                            adopt(t, 0.5),
                            m.deepCopy(),
                            3000 + 1500L * s + r.nextInt(4000),
                            150 + r.nextInt(900),
                            r.nextInt(400),
                            "192.168." + i + ".2",
                            "card-k" + i,
                            "agent-cli");
                    line.set(
                            "tools",
                            JSON.createArrayNode().add(JSON.createObjectNode().put("type", "function")));
                    m.add(msg("assistant", "calling tool"));
                    m.add(JSON.createObjectNode().put("role", "tool").put("content", sentence(50)));
                    t += 3000 + r.nextInt(20_000);
                }
            }
        }
    }

    private void batchExtraction() {
        for (int i = 0; i < 6; i++) {
            String acct = "batch-" + i;
            for (int night = 0; night < 10; night++) {
                long t = T0.toEpochMilli() + (long) (night * 2 + r.nextInt(2)) * DAY + 2 * HOUR;
                int docs = 200 + r.nextInt(200);
                for (int k = 0; k < docs; k++) {
                    ArrayNode m = JSON.createArrayNode();
                    m.add(msg(
                            "user",
                            "Extract the invoice number, date, total and supplier name from the document"
                                    + " below and answer with a JSON object with keys number, date, total, supplier.\n\n"
                                    + "Document: " + sentence(150)));
                    ObjectNode line = emit(
                            t,
                            acct,
                            "batch-org-" + i,
                            Kind.BATCH_EXTRACTION,
                            null,
                            SMALL_MODEL,
                            m,
                            900 + r.nextInt(600),
                            40 + r.nextInt(30),
                            0,
                            "203.0.113." + i,
                            "card-b" + i,
                            "etl-job");
                    line.put("temperature", 0.0);
                    t += 1500 + r.nextInt(300);
                }
            }
        }
    }

    private void evalHarness() {
        for (int i = 0; i < 5; i++) {
            String acct = "eval-" + i;
            declared.add(acct);
            for (int run = 0; run < 4; run++) {
                long t = randomTime(0, 28);
                for (int k = 0; k < 300; k++) {
                    ArrayNode m = JSON.createArrayNode();
                    m.add(
                            msg(
                                    "user",
                                    "Question: " + question() + "\nLet's think step by step and show your work,"
                                            + " then give the final answer after 'Answer:'. Use the reasoning format of the benchmark."));
                    ObjectNode line = emit(
                            t,
                            acct,
                            "eval-org-" + i,
                            Kind.EVAL_HARNESS,
                            null,
                            adopt(t, 0.9),
                            m,
                            120 + r.nextInt(80),
                            300 + r.nextInt(600),
                            200 + r.nextInt(500),
                            "198.51.100." + i,
                            "card-e" + i,
                            "lm-eval");
                    line.put("temperature", 0.0);
                    if (r.nextBoolean()) {
                        line.put("n", 4);
                    }
                    t += 800 + r.nextInt(400);
                }
            }
        }
    }

    private void syntheticData() {
        for (int i = 0; i < 5; i++) {
            String acct = "synth-" + i;
            declared.add(acct);
            for (int k = 0; k < 800; k++) {
                long t = randomTime(0, 28);
                ArrayNode m = JSON.createArrayNode();
                m.add(msg(
                        "user",
                        "Generate 10 diverse examples of customer emails about " + word()
                                + " for training data of our classifier, as JSONL with fields text and label."));
                emit(
                        t,
                        acct,
                        "synth-org-" + i,
                        Kind.SYNTHETIC_DATA,
                        null,
                        SMALL_MODEL,
                        m,
                        60 + r.nextInt(40),
                        800 + r.nextInt(800),
                        0,
                        "198.18.0." + i,
                        "card-s" + i,
                        "datagen");
            }
        }
    }

    private void judges() {
        String judge = "Please act as an impartial judge and evaluate the quality of the response provided by an"
                + " AI assistant to the user question displayed below. Consider helpfulness, relevance, accuracy,"
                + " depth and level of detail. Output your rating strictly in the format [[rating]].";
        for (int i = 0; i < 20; i++) {
            String acct = "judge-" + i;
            int n = 200 + r.nextInt(600);
            for (int k = 0; k < n; k++) {
                long t = randomTime(0, 28);
                ArrayNode m = JSON.createArrayNode();
                m.add(msg(
                        "user",
                        judge + (r.nextInt(4) == 0 ? " Explain your reasoning briefly first." : "")
                                + "\n[Question]\n" + question() + "\n[The Start of Assistant's Answer]\n" + sentence(80)
                                + "\n[The End of Assistant's Answer]"));
                ObjectNode line = emit(
                        t,
                        acct,
                        "judge-org-" + i,
                        Kind.LLM_JUDGE,
                        null,
                        adopt(t, 0.4),
                        m,
                        400 + r.nextInt(400),
                        5 + r.nextInt(60),
                        0,
                        "100.64." + i + ".9",
                        "card-j" + i,
                        "judge-lib");
                line.put("temperature", 0.0);
                line.put("logprobs", true);
            }
        }
    }

    private void reseller() {
        for (int i = 0; i < 300; i++) {
            String acct = "resold-" + i;
            int n = 5 + r.nextInt(80);
            for (int k = 0; k < n; k++) {
                long t = randomTime(0, 28);
                ArrayNode m = JSON.createArrayNode();
                m.add(msg("user", r.nextInt(8) == 0 ? "Think step by step: " + question() : chatty()));
                emit(
                        t,
                        acct,
                        "reseller",
                        Kind.RESELLER,
                        null,
                        adopt(t, 0.3),
                        m,
                        40 + r.nextInt(200),
                        50 + r.nextInt(500),
                        r.nextInt(8) == 0 ? r.nextInt(300) : 0,
                        "52.0.0." + r.nextInt(4),
                        "card-reseller",
                        "reseller-proxy");
            }
        }
    }

    private void tutoring() {
        String system = "You are a patient tutor for school students. Never give only the answer: explain the method"
                + " step by step, check understanding, and encourage the student.";
        for (int i = 0; i < 60; i++) {
            String acct = "student-" + i;
            int sessions = 5 + r.nextInt(20);
            for (int s = 0; s < sessions; s++) {
                long t = randomTime(0, 28);
                ArrayNode m = JSON.createArrayNode();
                m.add(msg("system", system));
                int turns = 1 + r.nextInt(4);
                for (int k = 0; k < turns; k++) {
                    if (k > 0) {
                        m.add(msg("assistant", sentence(60)));
                    }
                    m.add(msg("user", k == 0 ? "Can you explain how to solve this? " + question() : chatty()));
                    emit(
                            t,
                            acct,
                            "tutor-org-" + (i / 20),
                            Kind.TUTORING,
                            null,
                            adopt(t, 0.3),
                            m.deepCopy(),
                            150 + r.nextInt(300),
                            300 + r.nextInt(700),
                            r.nextInt(3) == 0 ? r.nextInt(400) : 0,
                            "81.2." + (i / 20) + ".1",
                            "card-tutor" + (i / 20),
                            "tutor-app");
                    t += 30_000 + r.nextInt(200_000);
                }
            }
        }
    }

    // ---- campaigns ----

    private static final String[] COT_TEMPLATES = {
        "You are an expert problem solver. Solve the following problem. Think step by step and show your full"
                + " reasoning before giving the final answer on its own line. Problem: ",
        "Provide a detailed chain of thought for the question below, explaining each intermediate step, then state"
                + " the final answer in the form Answer: X. Question: ",
        "You are an autonomous coding agent. Produce a complete tool-use trace with your reasoning at each step,"
                + " formatted as Thought, Action, Observation, for the following task: ",
        "Generate 5 diverse question-answer pairs with step-by-step solutions on the topic below, as JSONL with"
                + " fields question, reasoning, answer. Topic: "
    };

    /** One harvesting request: a template around a question, long reasoning-heavy answers. */
    private ObjectNode harvest(
            long t,
            String acct,
            String org,
            Kind kind,
            String campaign,
            String template,
            String ip,
            String pay,
            String client) {
        ArrayNode m = JSON.createArrayNode();
        m.add(msg("user", template + question()));
        String model = t >= releaseTime() && r.nextBoolean() ? NEW_MODEL : OLD_MODEL;
        ObjectNode line = emit(
                t,
                acct,
                org,
                kind,
                campaign,
                model,
                m,
                80 + r.nextInt(120),
                800 + r.nextInt(2500),
                500 + r.nextInt(1500),
                ip,
                pay,
                client);
        if (r.nextInt(5) == 0) {
            line.put("logprobs", true);
        }
        return line;
    }

    private void naive() {
        String acct = "naive-0";
        long t = T0.toEpochMilli() + 3 * DAY + r.nextInt((int) DAY);
        for (int k = 0; k < 4000; k++) {
            harvest(t, acct, acct, Kind.NAIVE, "naive", COT_TEMPLATES[k % 2], "45.1.1.1", "card-n0", "py-script");
            t += 4000 + r.nextInt(2000);
        }
    }

    private void harvester() {
        for (int i = 0; i < 100; i++) {
            String acct = "harv-" + i;
            long t = randomTime(2, 8);
            int n = 250 + r.nextInt(300);
            for (int k = 0; k < n; k++) {
                harvest(
                        t,
                        acct,
                        "harv-org-" + i,
                        Kind.REASONING_HARVESTER,
                        "harvester",
                        COT_TEMPLATES[r.nextInt(COT_TEMPLATES.length)],
                        "45.2." + (i / 10) + "." + r.nextInt(256),
                        "card-h" + (i / 10),
                        "harv-client");
                t += 60_000 + r.nextInt(3_000_000);
            }
        }
    }

    private void hydra() {
        int accounts = 1500;
        String[] ids = new String[accounts];
        for (int i = 0; i < accounts; i++) {
            ids[i] = "hydra-" + i;
        }
        // Waves: each wave a few hundred accounts fire in the same second (a coordinator), fingerprints rotate.
        for (int wave = 0; wave < 60; wave++) {
            long t = randomTime(4, 26);
            int from = r.nextInt(accounts);
            for (int j = 0; j < 300; j++) {
                int i = (from + j) % accounts;
                String ip = "45." + (100 + r.nextInt(100)) + "." + r.nextInt(256) + "." + r.nextInt(256);
                String pay = "card-hy" + (i / 50);
                long at = t + r.nextInt(1500);
                if (r.nextInt(10) < 3) {
                    ArrayNode m = JSON.createArrayNode();
                    m.add(msg("user", chatty()));
                    emit(
                            at,
                            ids[i],
                            ids[i],
                            Kind.HYDRA,
                            "hydra",
                            OLD_MODEL,
                            m,
                            40 + r.nextInt(100),
                            60 + r.nextInt(300),
                            0,
                            ip,
                            pay,
                            "client-" + r.nextInt(1000));
                } else {
                    harvest(
                            at,
                            ids[i],
                            ids[i],
                            Kind.HYDRA,
                            "hydra",
                            COT_TEMPLATES[wave % COT_TEMPLATES.length],
                            ip,
                            pay,
                            "client-" + r.nextInt(1000));
                }
            }
        }
    }

    private void lowAndSlow() {
        for (int i = 0; i < 5; i++) {
            String acct = "slow-" + i;
            for (int day = 0; day < 28; day++) {
                int n = 10 + r.nextInt(20);
                for (int k = 0; k < n; k++) {
                    long t = T0.toEpochMilli() + day * DAY + (long) (r.nextDouble() * DAY);
                    harvest(
                            t,
                            acct,
                            "slow-org-" + i,
                            Kind.LOW_AND_SLOW,
                            "low-and-slow",
                            COT_TEMPLATES[i % 3],
                            "77.7." + i + "." + r.nextInt(256),
                            "card-sl" + i,
                            "curl/" + i);
                }
            }
        }
    }

    private static final String[] OPENERS = {
        "",
        "Hi. ",
        "Please help: ",
        "Quick one. ",
        "As a careful analyst, ",
        "I need this for my notes. ",
        "Consider the following. ",
        "Task: "
    };
    private static final String[] ASKS = {
        "Think step by step.",
        "Reason it out carefully.",
        "Walk me through your logic.",
        "Describe how you arrive at the answer.",
        "Explain your thinking in detail.",
        "Lay out your logic one stage at a time.",
        "Go through it methodically and justify each move.",
        "Show every step.",
        "Before answering, consider the approach.",
        "Detail the path from premises to result."
    };
    private static final String[] CLOSERS = {
        "",
        " End with the final answer.",
        " Be thorough.",
        " Put the answer last.",
        " Do not skip anything.",
        " Format: reasoning then answer."
    };

    private void paraphraser() {
        for (int i = 0; i < 20; i++) {
            String acct = "para-" + i;
            long t = randomTime(1, 10);
            int n = 300 + r.nextInt(300);
            for (int k = 0; k < n; k++) {
                String ask = ASKS[r.nextInt(ASKS.length)];
                String q = question();
                String text = r.nextBoolean()
                        ? OPENERS[r.nextInt(OPENERS.length)] + q + " " + ask + CLOSERS[r.nextInt(CLOSERS.length)]
                        : OPENERS[r.nextInt(OPENERS.length)] + ask + " " + q + CLOSERS[r.nextInt(CLOSERS.length)];
                ArrayNode m = JSON.createArrayNode();
                m.add(msg("user", text));
                emit(
                        t,
                        acct,
                        "para-org-" + i,
                        Kind.PARAPHRASER,
                        "paraphraser",
                        OLD_MODEL,
                        m,
                        40 + r.nextInt(60),
                        700 + r.nextInt(2000),
                        400 + r.nextInt(1500),
                        "91.3." + i + "." + r.nextInt(256),
                        "card-p" + i,
                        "ua-" + r.nextInt(50));
                t += 120_000 + r.nextInt(2_400_000);
            }
        }
    }

    /** A campaign hidden among the reseller's end users, behind the reseller's addresses and payment. */
    private void resellerHidden() {
        for (int i = 0; i < 10; i++) {
            String acct = "resold-x" + i;
            long t = randomTime(3, 20);
            for (int k = 0; k < 500; k++) {
                harvest(
                        t,
                        acct,
                        "reseller",
                        Kind.RESELLER_HIDDEN,
                        "reseller-hidden",
                        COT_TEMPLATES[k % 4],
                        "52.0.0." + r.nextInt(4),
                        "card-reseller",
                        "reseller-proxy");
                t += 30_000 + r.nextInt(600_000);
            }
        }
    }

    // ---- text and time ----

    private static final String[] WORDS = ("algebra geometry probability thermodynamics enzyme photosynthesis"
                    + " mortgage inflation recursion database compiler kernel network protocol encryption"
                    + " vaccine protein galaxy orbit volcano glacier river harvest poetry sonnet novel grammar"
                    + " medieval empire revolution treaty contract negligence evidence tariff supply demand"
                    + " marketing budget payroll invoice warehouse logistics shipping recipe pastry fermentation"
                    + " marathon training injury nutrition sleep anxiety meditation parenting toddler garden"
                    + " tomato compost bicycle engine battery solar turbine bridge concrete steel circuit"
                    + " resistor capacitor antenna satellite telescope quantum electron matrix vector integral"
                    + " derivative polynomial prime lattice graph tree heap queue stack sorting hashing"
                    + " python javascript rust kotlin docker cluster latency cache index query schema")
            .split(" ");
    private static final String[] QUESTIONS = {
        "How does %s affect %s over %d years?", "What is the difference between %s and %s in about %d words?",
        "Compute the %s of the %s given %d samples.", "Why does %s fail when %s exceeds %d?",
        "Design a %s for %s that handles %d users.", "Prove that every %s with %s has at most %d parts.",
        "Estimate the cost of %s for %s with %d units.", "Compare %s with %s for a team of %d."
    };

    private String word() {
        return WORDS[r.nextInt(WORDS.length)];
    }

    private String question() {
        return String.format(QUESTIONS[r.nextInt(QUESTIONS.length)], word(), word(), 2 + r.nextInt(500));
    }

    private String chatty() {
        String[] forms = {
            "hey can you help me with my %s",
            "what's a good %s for a %s",
            "tell me a joke about %s",
            "i'm stuck with %s, any ideas about %s?",
            "write a short note to my boss about %s",
            "summarize %s for me",
            "is %s better than %s?",
            "translate this into french: my %s is late"
        };
        return String.format(forms[r.nextInt(forms.length)], word(), word());
    }

    private String sentence(int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append(word()).append(i % 12 == 11 ? ". " : " ");
        }
        return b.toString();
    }

    private long randomTime(int fromDay, int toDay) {
        return T0.toEpochMilli() + fromDay * DAY + (long) (r.nextDouble() * (toDay - fromDay) * DAY);
    }

    private long businessHours() {
        return T0.toEpochMilli() + r.nextInt(28) * DAY + 8 * HOUR + (long) (r.nextDouble() * 10 * HOUR);
    }

    private static long releaseTime() {
        return T0.toEpochMilli() + RELEASE_DAY * DAY;
    }

    /** Benign users drift onto the new model slowly after its release. */
    private String adopt(long t, double eventually) {
        if (t < releaseTime()) {
            return OLD_MODEL;
        }
        double days = (t - releaseTime()) / (double) DAY;
        return r.nextDouble() < eventually * Math.min(1, days / 10) ? NEW_MODEL : OLD_MODEL;
    }

    private static ObjectNode msg(String role, String content) {
        return JSON.createObjectNode().put("role", role).put("content", content);
    }

    private ObjectNode emit(
            long t,
            String account,
            String org,
            Kind kind,
            String campaign,
            String model,
            ArrayNode messages,
            long pt,
            long ct,
            long rt,
            String ip,
            String pay,
            String client) {
        ObjectNode line = JSON.createObjectNode();
        line.put("ts", Instant.ofEpochMilli(t).toString());
        line.put("account", account);
        line.put("org", org);
        if (ip != null) {
            line.put("ip", ip);
        }
        if (pay != null) {
            line.put("payment_fp", pay);
        }
        if (client != null) {
            line.put("client_fp", client);
        }
        line.put("model", model);
        line.set("messages", messages);
        line.put("prompt_tokens", pt);
        line.put("completion_tokens", ct);
        if (rt > 0) {
            line.put("reasoning_tokens", Math.min(rt, ct));
        }
        events.add(new Event(t, line, account, kind, campaign));
        return line;
    }
}
