package io.lokiconnect.sink.client;

/** TLS settings of a sink with no TLS keys set: the JVM's trust store, no client key, hostnames verified. */
public final class JvmDefaultTls {

    private JvmDefaultTls() {
    }

    public static TlsSettings settings() {
        return new TlsSettings("", new char[0], "PKCS12", "", new char[0], "PKCS12", true, "");
    }
}
