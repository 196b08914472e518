package dev.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tollgate budgets}: budgets in effect with what is spent, and setting them (through the admin API). */
@Command(
        name = "budgets",
        description = "Show budgets and spend, or set the budgets of a tenant, project or key (through the admin API).",
        subcommands = {BudgetsCommand.Show.class, BudgetsCommand.Set.class})
final class BudgetsCommand {

    @Command(name = "show", description = "Budgets in effect per scope, with what is spent or reserved.")
    static final class Show extends AdminCommand {
        @Option(names = "--tenant", required = true)
        String tenant;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            return admin.get("/admin/v1/budgets?tenant=" + AdminClient.query(tenant));
        }
    }

    @Command(
            name = "set",
            description = "Replace the budgets of one scope (none given: remove them).",
            footer = {
                "",
                "Example:  tollgate budgets set --tenant acme --budget monthly:500:USD --budget daily:40:USD:soft"
            })
    static final class Set extends AdminCommand {
        @Option(names = "--tenant", required = true)
        String tenant;

        @Option(names = "--scope", defaultValue = "tenant", description = "tenant, project or key (default: tenant).")
        String scope;

        @Option(names = "--name", description = "The project's name or the key's id (for --scope project or key).")
        String name;

        @Option(
                names = "--budget",
                description = "PERIOD:LIMIT:CURRENCY[:soft], PERIOD daily, monthly or total (repeatable).")
        List<String> budgets;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            ObjectNode body = AdminClient.mapper()
                    .createObjectNode()
                    .put("tenant", tenant)
                    .put("scope", scope);
            if (name != null) {
                body.put("name", name);
            }
            ArrayNode list = body.putArray("budgets");
            if (budgets != null) {
                for (String b : budgets) {
                    String[] f = b.split(":");
                    if (f.length < 3
                            || f.length > 4
                            || (f.length == 4 && !f[3].equals("soft") && !f[3].equals("hard"))) {
                        throw new AdminClient.AdminError(
                                "--budget " + b + ": write PERIOD:LIMIT:CURRENCY[:soft], e.g. monthly:500:USD");
                    }
                    list.addObject()
                            .put("period", f[0])
                            .put("limit", f[1])
                            .put("currency", f[2])
                            .put("hard", f.length == 3 || f[3].equals("hard"));
                }
            }
            return admin.put("/admin/v1/budgets", body);
        }
    }
}
