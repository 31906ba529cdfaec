package io.lokiconnect.sink.client;

/**
 * What an HTTP header may hold, as OkHttp checks it ({@code Headers.Builder}): a name of visible ASCII
 * (0x21-0x7e), a value of printable ASCII (0x20-0x7e) or tab. OkHttp's own error for a bad value echoes the value
 * (for every header but Authorization, Cookie and Proxy-Authorization), and the headers the sink sends carry keys
 * and tenants: so the config is checked here first, and no message built from these checks holds the value.
 */
public final class HeaderText {

    private HeaderText() {
    }

    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    public static boolean isValidValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c > 0x7e)) {
                return false;
            }
        }
        return true;
    }
}
