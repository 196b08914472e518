package dev.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "usage", description = "Show a tenant's usage totals (through the admin API).")
final class UsageCommand extends AdminCommand {
    @Option(names = "--tenant", required = true)
    String tenant;

    @Option(names = "--from", description = "ISO-8601 instant, inclusive.")
    String from;

    @Option(names = "--to", description = "ISO-8601 instant, exclusive.")
    String to;

    @Override
    JsonNode call(AdminClient admin) throws Exception {
        StringBuilder q = new StringBuilder("/admin/v1/usage?tenant=").append(AdminClient.query(tenant));
        if (from != null) {
            q.append("&from=").append(AdminClient.query(from));
        }
        if (to != null) {
            q.append("&to=").append(AdminClient.query(to));
        }
        return admin.get(q.toString());
    }
}
