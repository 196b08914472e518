package dev.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that calls the admin API and prints its JSON answer. */
abstract class AdminCommand implements Callable<Integer> {
    @Mixin
    AdminClient admin;

    abstract JsonNode call(AdminClient admin) throws Exception;

    @Override
    public Integer call() throws Exception {
        try {
            JsonNode answer = call(admin);
            System.out.println(
                    AdminClient.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            return 0;
        } catch (AdminClient.AdminError e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }
}
