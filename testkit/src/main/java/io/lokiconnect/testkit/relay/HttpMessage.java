package io.lokiconnect.testkit.relay;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 message read off a socket as raw bytes: the start line and headers, and the body framed by
 * {@code Content-Length} or {@code Transfer-Encoding: chunked} (kept chunked, as sent). Enough HTTP for a relay
 * that forwards messages whole, or cuts them.
 */
final class HttpMessage {

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    final String startLine;
    final byte[] head;
    final byte[] body;

    private HttpMessage(String startLine, byte[] head, byte[] body) {
        this.startLine = startLine;
        this.head = head;
        this.body = body;
    }

    /** The first value of header {@code name} (case-insensitive), or null. */
    String header(String name) {
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase(name)) {
                return lines[i].substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** All bytes of the message, as read. */
    byte[] bytes() {
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** A message head read, its body not yet. */
    record Head(String startLine, byte[] bytes, long contentLength, boolean chunked, boolean response) {
    }

    /**
     * Reads one message; null when the peer closed the connection before its first byte.
     *
     * @param response true for a response (a 1xx, 204 or 304 has no body)
     */
    static HttpMessage read(InputStream in, boolean response) throws IOException {
        Head head = readHead(in, response);
        return head == null ? null : readBody(head, in);
    }

    /** Reads a message head; null when the peer closed the connection before its first byte. */
    static Head readHead(InputStream in, boolean response) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside the message head");
            }
            head.write(b);
            if (head.size() > MAX_HEAD_BYTES) {
                throw new IOException("message head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        byte[] headBytes = head.toByteArray();
        String text = new String(headBytes, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String startLine = lines[0];
        long contentLength = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        return new Head(startLine, headBytes, contentLength, chunked, response);
    }

    /** Reads the body framed as {@code head} says. */
    static HttpMessage readBody(Head head, InputStream in) throws IOException {
        if (head.response() && hasNoBody(head.startLine())) {
            return new HttpMessage(head.startLine(), head.bytes(), new byte[0]);
        }
        byte[] body;
        if (head.chunked()) {
            body = readChunked(in);
        } else if (head.contentLength() >= 0) {
            body = in.readNBytes((int) head.contentLength());
            if (body.length < head.contentLength()) {
                throw new EOFException("connection closed inside the body");
            }
        } else if (head.response()) {
            body = in.readAllBytes(); // no length: the body runs to the end of the connection
        } else {
            body = new byte[0];
        }
        return new HttpMessage(head.startLine(), head.bytes(), body);
    }

    private static boolean hasNoBody(String statusLine) {
        String[] parts = statusLine.split(" ");
        if (parts.length < 2) {
            return false;
        }
        int status = Integer.parseInt(parts[1]);
        return status / 100 == 1 || status == 204 || status == 304;
    }

    /** The chunked body with its framing, up to and including the last chunk and trailers. */
    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, out);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine(in, out).isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            byte[] chunk = in.readNBytes(size + 2);
            if (chunk.length < size + 2) {
                throw new EOFException("connection closed inside a chunk");
            }
            out.write(chunk);
        }
    }

    private static String readLine(InputStream in, ByteArrayOutputStream copy) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a chunk header");
            }
            copy.write(b);
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }
}
