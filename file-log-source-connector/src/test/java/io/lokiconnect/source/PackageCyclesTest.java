package io.lokiconnect.source;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Each package of the plugin's production code is a slice; no two may depend on each other, directly or not. */
class PackageCyclesTest {

    @Test
    void productionPackagesHaveNoCycles() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.lokiconnect.source");
        slices().matching("io.lokiconnect.(**)").should().beFreeOfCycles().check(classes);
    }
}
