package dev.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "keys",
        description = "Create, list and revoke virtual keys (through the admin API).",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand {

    @Command(name = "create", description = "Create a key; it is printed once and stored only as a hash.")
    static final class Create extends AdminCommand {
        @Option(names = "--tenant", required = true)
        String tenant;

        @Option(names = "--name", defaultValue = "")
        String name;

        @Option(names = "--model", description = "Limit the key to these models (repeatable).")
        List<String> models;

        @Option(names = "--project", description = "The tenant's project the key belongs to (its limits and budgets).")
        String project;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            ObjectNode body = AdminClient.mapper()
                    .createObjectNode()
                    .put("tenant", tenant)
                    .put("name", name);
            var list = body.putArray("models");
            if (models != null) {
                models.forEach(list::add);
            }
            if (project != null) {
                body.put("project", project);
            }
            return admin.post("/admin/v1/keys", body);
        }
    }

    @Command(name = "list", description = "List keys (never the keys themselves).")
    static final class ListKeys extends AdminCommand {
        @Option(names = "--tenant")
        String tenant;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            return admin.get("/admin/v1/keys" + (tenant == null ? "" : "?tenant=" + AdminClient.query(tenant)));
        }
    }

    @Command(name = "revoke", description = "Revoke a key by id; it stops working at once.")
    static final class Revoke extends AdminCommand {
        @Parameters(paramLabel = "KEY_ID")
        String id;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            return admin.delete("/admin/v1/keys/" + AdminClient.query(id));
        }
    }
}
