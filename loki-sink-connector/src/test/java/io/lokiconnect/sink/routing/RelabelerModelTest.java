package io.lokiconnect.sink.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Model-based: the relabel engine against a model written from Prometheus's {@code relabel()} (model/relabel), line
 * by line, over sorted label pairs, with templates generated as structures whose expansion the model computes
 * without parsing them (the engine gets their text). Label sets, rule lists, regexes, separators, target labels
 * (templated, invalid, reserved, the tenant's) and replacements are drawn from small pools so that rules collide:
 * they read labels other rules wrote, drop entries, remove what others need. jqwik prints the seed of a failing run.
 */
class RelabelerModelTest {

    private static final List<String> NAMES = List.of("a", "b", "job", "__tenant_id__", "__meta_team", "env_1");
    private static final List<String> VALUES = List.of("x", "y", "x-y", "1", "\u00e9t\u00e9", "a;b", "team-a");
    private static final List<String> REGEXES = List.of("(.*)", "x", "(x)-(y)", "(.)(.*)", "([a-z]+)", "a|b",
            "__meta_(.*)", "(j)ob", "(?<first>[^;]*);(.*)", "", ".+", "(x)?y");

    /** A piece of a template: literal text, a group reference (by number, braced or not) or "$$". */
    sealed interface Part permits Literal, Group, Dollar {
    }

    record Literal(String text) implements Part {
    }

    record Group(int number, boolean braced) implements Part {
    }

    record Dollar() implements Part {
    }

    /** A template as a structure; rendered for the engine, expanded by the model. */
    record Template(List<Part> parts) {
        String render() {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) {
                Part part = parts.get(i);
                if (part instanceof Literal l) {
                    out.append(l.text());
                } else if (part instanceof Dollar) {
                    out.append("$$");
                } else if (part instanceof Group g) {
                    // An unbraced reference followed by a name character would read on ($1x is ${1x}): braced then.
                    boolean nameFollows = false;
                    for (int k = i + 1; k < parts.size(); k++) {
                        if (!(parts.get(k) instanceof Literal l)) {
                            break; // a reference or "$$" starts with '$'
                        }
                        if (!l.text().isEmpty()) {
                            nameFollows = isNameChar(l.text().charAt(0));
                            break;
                        }
                    }
                    out.append(g.braced() || nameFollows ? "${" + g.number() + "}" : "$" + g.number());
                }
            }
            return out.toString();
        }

        String expand(Matcher m) {
            StringBuilder out = new StringBuilder();
            for (Part part : parts) {
                if (part instanceof Literal l) {
                    out.append(l.text());
                } else if (part instanceof Dollar) {
                    out.append('$');
                } else if (part instanceof Group g && g.number() <= m.groupCount() && m.group(g.number()) != null) {
                    out.append(m.group(g.number()));
                }
            }
            return out.toString();
        }

        private static boolean isNameChar(char c) {
            return c == '_' || Character.isLetterOrDigit(c);
        }
    }

    record Rule(RelabelRule.Action action, List<String> sources, String separator, String regex, Template target,
                Template replacement) {
        RelabelRule compiled(int n) {
            return new RelabelRule("r" + n, action, sources, separator, RelabelRegex.compile(regex),
                    target.render(), replacement.render());
        }
    }

    @Property(tries = 3000)
    void theEngineDoesWhatPrometheusDoes(@ForAll("labelSets") Map<String, String> labels,
                                         @ForAll("ruleLists") List<Rule> rules) {
        List<RelabelRule> compiled = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            compiled.add(rules.get(i).compiled(i));
        }
        Map<String, String> actual = new Relabeler(compiled).apply(labels);
        Map<String, String> expected = model(labels, rules);
        assertThat(actual).as("rules %s on %s", rules, labels).isEqualTo(expected);
        if (actual != null) {
            assertThat(actual.values()).as("no empty value is ever set").doesNotContain("");
        }
        assertThat(labels).as("the input is not changed").isEqualTo(new TreeMap<>(labels));
    }

    /** Prometheus's relabel(), over a sorted map, with the structured templates. Null: dropped. */
    private static Map<String, String> model(Map<String, String> input, List<Rule> rules) {
        TreeMap<String, String> lb = new TreeMap<>(input);
        for (Rule rule : rules) {
            Pattern re = Pattern.compile("^(?s:" + rule.regex().replace("(?P<", "(?<") + ")$");
            List<String> values = new ArrayList<>();
            for (String source : rule.sources()) {
                values.add(lb.getOrDefault(source, ""));
            }
            String val = String.join(rule.separator(), values);
            switch (rule.action()) {
                case DROP -> {
                    if (re.matcher(val).matches()) {
                        return null;
                    }
                }
                case KEEP -> {
                    if (!re.matcher(val).matches()) {
                        return null;
                    }
                }
                case REPLACE -> {
                    Matcher m = re.matcher(val);
                    if (!m.matches()) {
                        break;
                    }
                    String target = rule.target().expand(m);
                    if (!target.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                        break;
                    }
                    String res = rule.replacement().expand(m);
                    if (res.isEmpty()) {
                        lb.remove(target);
                    } else {
                        lb.put(target, res);
                    }
                }
                case LABELDROP -> {
                    for (String name : new ArrayList<>(lb.keySet())) {
                        if (re.matcher(name).matches()) {
                            lb.remove(name);
                        }
                    }
                }
                case LABELKEEP -> {
                    for (String name : new ArrayList<>(lb.keySet())) {
                        if (!re.matcher(name).matches()) {
                            lb.remove(name);
                        }
                    }
                }
                case LABELMAP -> {
                    TreeMap<String, String> snapshot = new TreeMap<>(lb);
                    for (Map.Entry<String, String> label : snapshot.entrySet()) {
                        Matcher m = re.matcher(label.getKey());
                        if (m.matches()) {
                            String name = rule.replacement().expand(m);
                            if (name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) { // the engine's one deviation: Loki's names
                                lb.put(name, label.getValue());
                            }
                        }
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return lb;
    }

    @Provide
    Arbitrary<Map<String, String>> labelSets() {
        return Arbitraries.maps(Arbitraries.of(NAMES), Arbitraries.of(VALUES)).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Rule>> ruleLists() {
        Arbitrary<Rule> rule = Combinators.combine(
                Arbitraries.of(RelabelRule.Action.class),
                Arbitraries.of(NAMES.get(0), NAMES.get(1), NAMES.get(2), NAMES.get(3), NAMES.get(4), "absent")
                        .list().ofMinSize(0).ofMaxSize(3),
                Arbitraries.of(";", "-", ""),
                Arbitraries.of(REGEXES),
                templates(true),
                templates(false)).as(Rule::new);
        return rule.list().ofMinSize(1).ofMaxSize(5);
    }

    private static Arbitrary<Template> templates(boolean labelName) {
        Arbitrary<Part> literal = labelName
                ? Arbitraries.of("t", "a", "job", "__tenant_id__", "x_", "9bad", "b-c", "").map(Literal::new)
                : Arbitraries.of("v", "-", "\u00e9", "", "1").map(Literal::new);
        Arbitrary<Part> group = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.of(true, false))
                .as(Group::new);
        Arbitrary<Part> dollar = Arbitraries.just(new Dollar());
        Arbitrary<Part> part = labelName ? Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, literal), net.jqwik.api.Tuple.of(3, group))
                : Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, literal), net.jqwik.api.Tuple.of(5, group),
                net.jqwik.api.Tuple.of(1, dollar));
        return part.list().ofMinSize(0).ofMaxSize(3).map(Template::new);
    }
}
