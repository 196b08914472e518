package dev.tollgate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of docs/architecture.md, checked on the compiled classes. */
class ArchitectureTest {
    /** The domain: features that know neither HTTP nor how they are stored or served. */
    private static final String[] DOMAIN = {
        "dev.tollgate.wire..",
        "dev.tollgate.route..",
        "dev.tollgate.meter..",
        "dev.tollgate.tenant..",
        "dev.tollgate.config..",
        "dev.tollgate.observe..",
        "dev.tollgate.provider..",
        "dev.tollgate.settle..",
        "dev.tollgate.price..",
        "dev.tollgate.guard..",
        "dev.tollgate.admit..",
        "dev.tollgate.policy.."
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tollgate");
    }

    @Test
    void theDomainImportsNoHttpFramework() {
        noClasses()
                .that()
                .resideInAnyPackage(DOMAIN)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.vertx..", "io.netty..")
                .check(classes);
    }

    @Test
    void featuresDoNotImportTheStoreOrTheServer() {
        noClasses()
                .that()
                .resideInAnyPackage(DOMAIN)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tollgate.store..", "dev.tollgate.server..", "dev.tollgate.cli..")
                .check(classes);
    }

    @Test
    void onlyTheCommandLineUsesTheServer() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.tollgate.server..", "dev.tollgate.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tollgate.server..")
                .check(classes);
    }

    @Test
    void providersKnowTheWireButNotRoutingOrPolicy() {
        noClasses()
                .that()
                .resideInAPackage("dev.tollgate.provider..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.tollgate.route..", "dev.tollgate.tenant..", "dev.tollgate.meter..")
                .check(classes);
    }
}
