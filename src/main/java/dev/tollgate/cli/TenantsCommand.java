package dev.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "tenants",
        description = "Create and list tenants (through the admin API).",
        subcommands = {TenantsCommand.Create.class, TenantsCommand.ListTenants.class})
final class TenantsCommand {

    @Command(name = "create", description = "Create a tenant.")
    static final class Create extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--country", description = "ISO 3166 alpha-2 code, e.g. DE.")
        String country;

        @Override
        JsonNode call(AdminClient admin) throws Exception {
            return admin.post(
                    "/admin/v1/tenants",
                    AdminClient.mapper().createObjectNode().put("name", name).put("country", country));
        }
    }

    @Command(name = "list", description = "List tenants from the configuration and the store.")
    static final class ListTenants extends AdminCommand {
        @Override
        JsonNode call(AdminClient admin) throws Exception {
            return admin.get("/admin/v1/tenants");
        }
    }
}
