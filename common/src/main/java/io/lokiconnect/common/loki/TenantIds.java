package io.lokiconnect.common.loki;

import java.util.TreeSet;

/**
 * Loki's rule for tenant IDs ({@code X-Scope-OrgID}), in one place for the sink and the receiver. Copied from dskit
 * {@code tenant.TenantIDs} and {@code tenant.ValidTenantID} (what Loki 2.9 and 3.x call from
 * {@code tenant.TenantID} in the distributor's push handler, answering 400 with the message) and
 * {@code user.ErrTooManyOrgIDs}:
 * <ul>
 *   <li>the header may name several tenants separated by {@code |}; they are sorted and de-duplicated, and a push
 *       naming more than one is refused: "multiple org IDs present";</li>
 *   <li>each may hold only {@code a-z A-Z 0-9 ! - _ . * ' ( )}: "tenant ID 'x' contains unsupported character 'c'"
 *       (the first such byte);</li>
 *   <li>at most 150 bytes: "tenant ID is too long: max 150 characters";</li>
 *   <li>not {@code .} or {@code ..}: "tenant ID is '.' or '..'".</li>
 * </ul>
 */
public final class TenantIds {

    /** dskit {@code tenant.MaxTenantIDLength}. */
    public static final int MAX_LENGTH = 150;
    /** dskit {@code tenantIDsSeparator}. */
    public static final char SEPARATOR = '|';

    private TenantIds() {
    }

    /** Loki's error for {@code header} as the X-Scope-OrgID of a push (not empty), or null when Loki takes it. */
    public static String problem(String header) {
        TreeSet<String> ids = new TreeSet<>();
        int start = 0;
        while (true) {
            int end = header.indexOf(SEPARATOR, start);
            String id = end < 0 ? header.substring(start) : header.substring(start, end);
            String problem = singleProblem(id);
            if (problem != null) {
                return problem;
            }
            ids.add(id);
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
        return ids.size() > 1 ? "multiple org IDs present" : null;
    }

    /** Loki's error for one tenant ID, or null when valid. */
    private static String singleProblem(String id) {
        byte[] bytes = id.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (!supported(b)) {
                // Go prints the byte with %c: a byte of a multi-byte character shows as that code point (Latin-1)
                return "tenant ID '" + id + "' contains unsupported character '" + (char) (b & 0xff) + "'";
            }
        }
        if (bytes.length > MAX_LENGTH) {
            return "tenant ID is too long: max " + MAX_LENGTH + " characters";
        }
        if (id.equals(".") || id.equals("..")) {
            return "tenant ID is '.' or '..'";
        }
        return null;
    }

    private static boolean supported(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '!' || b == '-' || b == '_' || b == '.' || b == '*' || b == '\'' || b == '(' || b == ')';
    }
}
