package io.lokiconnect.sink.push;

/** A push request body ready to send, with its headers and its size before compression. */
public record EncodedPush(byte[] body, String contentType, String contentEncoding, int uncompressedBytes) {
}
