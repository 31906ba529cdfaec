package io.lokiconnect.sink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Only the Connect adapters (the root package) and the metrics see Connect's API: everything along the record's path
 * is plain Java, driven by unit tests without a worker.
 */
class ConnectImportsTest {

    @Test
    void onlyTheRootPackageAndMetricsImportConnect() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.lokiconnect.sink");
        noClasses().that().resideInAPackage("io.lokiconnect.sink..")
                .and().resideOutsideOfPackages("io.lokiconnect.sink", "io.lokiconnect.sink.metrics..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.connect..")
                .check(classes);
    }
}
