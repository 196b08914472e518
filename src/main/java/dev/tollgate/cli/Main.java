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
            CreditsCommand.class,
            BudgetsCommand.class,
            GuardCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        return run(System.getenv(), args);
    }

    /** Runs with {@code env} as the environment the admin commands read their token from; for tests. */
    static int run(java.util.Map<String, String> env, String... args) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == AdminClient.class ? cls.cast(new AdminClient(env)) : defaults.create(cls);
            }
        };
        return new CommandLine(new Main(), factory)
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
