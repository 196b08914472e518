package dev.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate credits}: credit grants and prepaid balances through the admin API (billing.md, "Credits"). */
@Command(
        name = "credits",
        description = "Grant credit, top up prepaid balances, and list what a tenant has left (through the admin API).",
        subcommands = {CreditsCommand.Grant.class, CreditsCommand.TopUp.class, CreditsCommand.ListCredits.class})
final class CreditsCommand {

    @Command(
            name = "grant",
            description = "Grant credit in tokens or money, for some models or all, until an expiry.",
            footer = {
                "",
                "Example (a migration promotion):",
                "  tollgate credits grant --tenant acme --tokens 50000000 --valid-days 90 \\",
                "      --reason 'migrating from another provider'"
            })
    static final class Grant extends AdminCommand {
        @Option(names = "--tenant", required = true)
        String tenant;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Amount amount;

        static final class Amount {
            @Option(names = "--tokens", description = "Tokens (prompt + completion).")
            Long tokens;

            @Option(names = "--amount", description = "Money, e.g. 25.00 (with --currency).")
            String money;
        }

        @Option(names = "--currency", description = "ISO 4217 code of --amount, e.g. USD.")
        String currency;

        @Option(names = "--model", description = "Only for these models (repeatable; default: all).")
        List<String> models;

        @Option(
                names = "--priority",
                defaultValue = "promotional",
                description = "promotional (used first) or paid (default: ${DEFAULT-VALUE}).")
        String priority;

        @Option(names = "--valid-days", description = "Expires this many days from now.")
        Long validDays;

        @Option(names = "--expires-at", description = "Expires at this instant, e.g. 2027-03-01T00:00:00Z.")
        String expiresAt;

        @Option(names = "--reason", description = "Why (shown in listings and kept for audit).")
        String reason;

        @Option(names = "--id", description = "An id of your own; granting the same id again grants nothing.")
        String id;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            ObjectNode body = AdminClient.mapper().createObjectNode().put("tenant", tenant);
            if (amount.tokens != null) {
                body.put("tokens", amount.tokens);
            } else {
                body.put("amount", amount.money).put("currency", currency);
            }
            var list = body.putArray("models");
            if (models != null) {
                models.forEach(list::add);
            }
            body.put("priority", priority);
            if (validDays != null) {
                body.put("valid_days", validDays);
            }
            if (expiresAt != null) {
                body.put("expires_at", expiresAt);
            }
            if (reason != null) {
                body.put("reason", reason);
            }
            if (id != null) {
                body.put("id", id);
            }
            return admin.post("/admin/v1/credits", body);
        }
    }

    @Command(name = "top-up", description = "Add money to a tenant's prepaid balance.")
    static final class TopUp extends AdminCommand {
        @Option(names = "--tenant", required = true)
        String tenant;

        @Option(names = "--amount", required = true, description = "e.g. 100.00")
        String amount;

        @Option(names = "--currency", required = true, description = "ISO 4217, e.g. USD")
        String currency;

        @Option(names = "--reference", description = "The payment or invoice it comes from.")
        String reference;

        @Option(names = "--id", description = "An id of your own; the same id again adds nothing.")
        String id;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            ObjectNode body = AdminClient.mapper()
                    .createObjectNode()
                    .put("tenant", tenant)
                    .put("amount", amount)
                    .put("currency", currency);
            if (reference != null) {
                body.put("reference", reference);
            }
            if (id != null) {
                body.put("id", id);
            }
            return admin.post("/admin/v1/credits/topups", body);
        }
    }

    @Command(
            name = "list",
            description = "A tenant's grants and balances in the order they are used, with what is left.")
    static final class ListCredits extends AdminCommand {
        @Option(names = "--tenant", required = true)
        String tenant;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            return admin.get("/admin/v1/credits?tenant=" + AdminClient.query(tenant));
        }
    }
}
