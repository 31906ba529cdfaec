package io.lokiconnect.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lokiconnect.harness.PluginDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the user documentation (README.md, RELIABILITY.md, BENCHMARKS.md, docs/*.md) names a file
 * inside the repository, and every {@code #anchor} a heading of the page it points to (GitHub's anchors), so a
 * moved section or a link outside the repository fails here rather than in a reader's browser.
 */
class DocsLinksTest {

    private static final Path ROOT = PluginDirs.projectRoot().toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} +(.+?) *#*$");

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(
                ROOT.resolve("README.md"), ROOT.resolve("RELIABILITY.md"), ROOT.resolve("BENCHMARKS.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** The problems with the links of one page's text; {@code page} is where the text lives. */
    static List<String> brokenLinks(Path page, String text) throws IOException {
        List<String> broken = new ArrayList<>();
        Matcher m = LINK.matcher(withoutCodeBlocks(text));
        while (m.find()) {
            String link = m.group(1);
            if (link.matches("(?i)(https?|mailto):.*")) {
                continue;
            }
            int hash = link.indexOf('#');
            String file = hash < 0 ? link : link.substring(0, hash);
            Path target = file.isEmpty() ? page : page.getParent().resolve(file).toAbsolutePath().normalize();
            if (!target.startsWith(ROOT)) {
                broken.add(link + ": outside the repository");
            } else if (!Files.exists(target)) {
                broken.add(link + ": no such file " + ROOT.relativize(target));
            } else if (hash >= 0 && target.toString().endsWith(".md")
                    && !anchors(Files.readString(target)).contains(link.substring(hash + 1))) {
                broken.add(link + ": no heading with that anchor in " + ROOT.relativize(target));
            }
        }
        return broken;
    }

    /** GitHub's anchors: the heading lower-cased, punctuation dropped, spaces as hyphens; repeats get -1, -2, ... */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : withoutCodeBlocks(markdown).split("\n")) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug = h.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "")
                        .replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
        }
        return anchors;
    }

    private static String withoutCodeBlocks(String markdown) {
        return markdown.replaceAll("(?s)```.*?```", "");
    }

    @Test
    void everyRelativeLinkNamesAFileInTheRepositoryAndAHeadingThere() throws Exception {
        List<String> broken = new ArrayList<>();
        int pages = 0;
        for (Path page : pages()) {
            pages++;
            brokenLinks(page, Files.readString(page)).forEach(b -> broken.add(ROOT.relativize(page) + ": " + b));
        }
        assertThat(pages).as("pages checked").isGreaterThanOrEqualTo(10);
        assertThat(broken).isEmpty();
    }

    /** The check itself: each kind of broken link is caught, and good ones pass. */
    @Test
    void theCheckFindsALinkOutsideTheRepositoryAMissingFileAndAMissingAnchor() throws Exception {
        Path page = ROOT.resolve("docs").resolve("sink.md");
        assertThat(brokenLinks(page, "[spec](../../shared/spec/loki-push-api.md)"))
                .singleElement().asString().contains("outside the repository");
        assertThat(brokenLinks(page, "[gone](gone.md)")).singleElement().asString().contains("no such file");
        assertThat(brokenLinks(page, "[a](../README.md#no-such-section)")).singleElement().asString()
                .contains("no heading");
        assertThat(brokenLinks(page, "[a](../README.md#troubleshooting) [b](#entry-time) [c](https://grafana.com/x)"))
                .isEmpty();
        assertThat(brokenLinks(page, "```\n[in code](nowhere.md)\n```")).isEmpty();
        assertThat(anchors("## Loki's limits, applied before sending\n## `x` and y\n## A\n## A\n"))
                .containsExactlyInAnyOrder("lokis-limits-applied-before-sending", "x-and-y", "a", "a-1");
    }
}
