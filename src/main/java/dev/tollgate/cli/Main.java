package dev.tollgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tollgate} command line. */
@Command(
        name = "tollgate",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A model-agnostic gateway for large language models.",
        subcommands = {
            ServeCommand.class,
            DemoCommand.class,
            CheckConfigCommand.class,
            KeysCommand.class,
            TenantsCommand.class,
            UsageCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tollgate " + (v == null ? "development build" : v)};
        }
    }
}
