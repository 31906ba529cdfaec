package io.lokiconnect.sink.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression as Prometheus relabelling compiles it ({@code relabel.NewRegexp}: {@code ^(?s:<regex>)$},
 * anchored at both ends, {@code .} matching a line break too), and Go's {@code Regexp.Expand} for its templates
 * ({@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}). Java's engine reads RE2's syntax but for a
 * few details: {@code (?P<name>...)} is accepted and read as {@code (?<name>...)}; a group name must be letters and
 * digits; RE2 has no back-references or look-arounds, which Java would accept.
 */
public final class RelabelRegex {

    /** Prometheus's default regex, {@code (.*)}. */
    public static final String DEFAULT = "(.*)";

    private final String source;
    private final Pattern pattern;
    private final List<String> groupNames;

    private RelabelRegex(String source, Pattern pattern, List<String> groupNames) {
        this.source = source;
        this.pattern = pattern;
        this.groupNames = groupNames;
    }

    /** Compiles {@code regex} anchored; throws {@link PatternSyntaxException} when Java cannot read it. */
    public static RelabelRegex compile(String regex) {
        String java = regex.replace("(?P<", "(?<");
        Pattern pattern = Pattern.compile("^(?s:" + java + ")$");
        return new RelabelRegex(regex, pattern, namedGroups(java));
    }

    private static List<String> namedGroups(String regex) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>").matcher(regex);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The regex as configured. */
    public String source() {
        return source;
    }

    /** A matcher over {@code text}; {@link Matcher#matches()} tells whether the whole text matches. */
    public Matcher matcher(CharSequence text) {
        return pattern.matcher(text);
    }

    public boolean matches(CharSequence text) {
        return pattern.matcher(text).matches();
    }

    /** Capturing groups, not counting the whole match. */
    public int groupCount() {
        return pattern.matcher("").groupCount();
    }

    /**
     * Go's {@code Regexp.ExpandString}: {@code template} with each {@code $name} or {@code ${name}} replaced by the
     * group of that number or name of {@code match} (which matched), {@code $$} by {@code $}. A name is as long as
     * possible ({@code $1x} is {@code ${1x}}, an unknown name: empty); a group out of range or that did not take part
     * gives nothing; a {@code $} not followed by a name stays as it is.
     */
    public String expand(String template, Matcher match) {
        if (template.indexOf('$') < 0) {
            return template;
        }
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        int n = template.length();
        while (i < n) {
            char c = template.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < n && template.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            int nameStart;
            int nameEnd;
            int next;
            if (i + 1 < n && template.charAt(i + 1) == '{') {
                nameStart = i + 2;
                nameEnd = nameStart;
                while (nameEnd < n && isNameChar(template.charAt(nameEnd))) {
                    nameEnd++;
                }
                if (nameEnd == nameStart || nameEnd >= n || template.charAt(nameEnd) != '}') {
                    out.append('$'); // malformed: the '$' is text
                    i++;
                    continue;
                }
                next = nameEnd + 1;
            } else {
                nameStart = i + 1;
                nameEnd = nameStart;
                while (nameEnd < n && isNameChar(template.charAt(nameEnd))) {
                    nameEnd++;
                }
                if (nameEnd == nameStart) {
                    out.append('$');
                    i++;
                    continue;
                }
                next = nameEnd;
            }
            appendGroup(out, template.substring(nameStart, nameEnd), match);
            i = next;
        }
        return out.toString();
    }

    private void appendGroup(StringBuilder out, String name, Matcher match) {
        int number = groupNumber(name);
        String value = null;
        if (number >= 0) {
            if (number <= match.groupCount()) {
                value = match.group(number);
            }
        } else if (groupNames.contains(name)) {
            value = match.group(name);
        }
        if (value != null) {
            out.append(value);
        }
    }

    /** Go's {@code extract}: digits only, no leading zero unless "0", below 1e8; else -1 (a name). */
    private static int groupNumber(String name) {
        int number = 0;
        for (int k = 0; k < name.length(); k++) {
            char d = name.charAt(k);
            if (d < '0' || d > '9' || number >= 100_000_000) {
                return -1;
            }
            number = number * 10 + (d - '0');
        }
        if (name.charAt(0) == '0' && name.length() > 1) {
            return -1;
        }
        return number;
    }

    /** Go's {@code extract} takes letters, digits and '_' (Unicode letters and digits too). */
    private static boolean isNameChar(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    @Override
    public String toString() {
        return source;
    }
}
