package io.lokiconnect.source;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Only the adapters speak Connect: the root package (connector, task, record building) and {@code metrics/}.
 * The tailer, discovery, assignment, offsets, multi-line and model packages are plain Java, tested without it.
 */
class ConnectImportsTest {

    @Test
    void onlyTheRootPackageAndMetricsUseConnect() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.lokiconnect.source");
        noClasses().that().resideInAPackage("io.lokiconnect.source..")
                .and().resideOutsideOfPackages("io.lokiconnect.source", "io.lokiconnect.source.metrics..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.connect..")
                .check(classes);
    }
}
