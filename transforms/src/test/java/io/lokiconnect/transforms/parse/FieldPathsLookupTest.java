package io.lokiconnect.transforms.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node looks a name up by comparing it with its few children (up to 8) or in its map (more): both give the child
 * of that name and nothing for any other name, whether or not the name is the same string instance.
 */
class FieldPathsLookupTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 20})
    void everyChildIsFoundByAnEqualNameAndNoOtherNameFindsOne(int children) {
        FieldPaths paths = new FieldPaths();
        for (int i = 0; i < children; i++) {
            paths.add(name(i));
        }
        for (int i = 0; i < children; i++) {
            FieldPaths.Node node = paths.root().get(new String(name(i)));
            assertThat(node).as(name(i)).isNotNull();
            assertThat(node.slot()).isEqualTo(i);
        }
        assertThat(paths.root().get(name(children))).isNull();
        assertThat(paths.root().get("")).isNull();
        assertThat(paths.root().get("f0x")).isNull();
        assertThat(paths.root().get("f")).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 8, 9})
    void dottedPathsAndTheirFlatKeysAtTheLimit(int children) {
        FieldPaths paths = new FieldPaths();
        for (int i = 0; i < children - 1; i++) {
            paths.add(name(i));
        }
        int slot = paths.add("k8s.ns");
        // the root now holds children - 1 names plus "k8s" and the flat "k8s.ns"
        assertThat(paths.root().get(new String("k8s.ns")).slot()).isEqualTo(slot);
        assertThat(paths.root().get(new String("k8s")).get(new String("ns")).slot()).isEqualTo(slot);
        assertThat(paths.root().get("k8s.n")).isNull();
    }

    /** Names with a multi-byte character in some, so equal lengths in chars differ in bytes. */
    private static String name(int i) {
        return i % 4 == 3 ? "fé" + i : "f" + i;
    }
}
