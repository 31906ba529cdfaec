package io.lokiconnect.sink.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hosts a proxy is not used for, read as Go's {@code net/http/httpproxy} reads {@code NO_PROXY} (what Loki's own
 * clients, Promtail and Alloy honour): comma-separated entries, each {@code *} (no proxy at all), an IP address, a CIDR
 * range ({@code 10.0.0.0/8}), or a domain that matches itself and its subdomains ({@code example.com} and
 * {@code .example.com} both match {@code loki.example.com}); an entry may end in {@code :port} to match that port only.
 * Names are compared without case; an IP entry matches a URL naming that IP, not a host name resolving to it.
 */
public final class NoProxy {

    private record Entry(String domain, byte[] network, int prefixBits, int port) {
    }

    private final boolean all;
    private final List<Entry> entries;

    private NoProxy(boolean all, List<Entry> entries) {
        this.all = all;
        this.entries = entries;
    }

    public static NoProxy parse(String list) {
        List<Entry> entries = new ArrayList<>();
        boolean all = false;
        for (String raw : list.split(",")) {
            String item = raw.trim().toLowerCase(Locale.ROOT);
            if (item.isEmpty()) {
                continue;
            }
            if (item.equals("*")) {
                all = true;
                continue;
            }
            int port = -1;
            int slash = item.indexOf('/');
            if (slash < 0) {
                int colon = item.lastIndexOf(':');
                boolean bracketedV6 = item.startsWith("[");
                if (colon > 0 && (bracketedV6 ? item.indexOf(']') < colon : item.indexOf(':') == colon)) {
                    try {
                        port = Integer.parseInt(item.substring(colon + 1));
                        item = item.substring(0, colon);
                    } catch (NumberFormatException notAPort) {
                        // an IPv6 address without brackets: no port
                    }
                }
                if (item.startsWith("[") && item.endsWith("]")) {
                    item = item.substring(1, item.length() - 1);
                }
            }
            if (slash >= 0) {
                byte[] network = literal(item.substring(0, slash));
                try {
                    int bits = Integer.parseInt(item.substring(slash + 1));
                    if (network != null && bits >= 0 && bits <= network.length * 8) {
                        entries.add(new Entry(null, network, bits, -1));
                    }
                } catch (NumberFormatException ignored) {
                    // not a CIDR range: skipped, as Go skips it
                }
                continue;
            }
            byte[] ip = literal(item);
            if (ip != null) {
                entries.add(new Entry(null, ip, ip.length * 8, port));
            } else {
                entries.add(new Entry(item.startsWith(".") ? item.substring(1) : item, null, 0, port));
            }
        }
        return new NoProxy(all, List.copyOf(entries));
    }

    /** True when a request to {@code host}:{@code port} goes direct. */
    public boolean matches(String host, int port) {
        if (all) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        byte[] ip = literal(h);
        for (Entry e : entries) {
            if (e.port() >= 0 && e.port() != port) {
                continue;
            }
            if (e.domain() != null) {
                if (ip == null && (h.equals(e.domain()) || h.endsWith("." + e.domain()))) {
                    return true;
                }
            } else if (ip != null && ip.length == e.network().length && inNetwork(ip, e.network(), e.prefixBits())) {
                return true;
            }
        }
        return false;
    }

    private static boolean inNetwork(byte[] ip, byte[] network, int bits) {
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((ip[i / 8] & mask) != (network[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Four decimal parts 0-255, or null. */
    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int value = Integer.parseInt(parts[i]);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    /** The bytes of an IP literal, or null for a host name (never resolved). */
    private static byte[] literal(String text) {
        if (text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return ipv4(text);
        }
        if (!text.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress(); // holds ':': read as an IPv6 literal, never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
