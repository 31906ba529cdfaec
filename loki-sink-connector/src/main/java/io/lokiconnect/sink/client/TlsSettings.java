package io.lokiconnect.sink.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust store and optional key store (mutual TLS) for an https Loki; empty locations use the JVM's defaults. A store
 * is a PKCS12 or JKS file, or PEM files ({@link PemFiles}): CA certificates to trust; a certificate chain with its
 * private key in the same file or in {@code keyLocation}.
 */
public record TlsSettings(String truststoreLocation, char[] truststorePassword, String truststoreType,
                          String keystoreLocation, char[] keystorePassword, String keystoreType,
                          boolean verifyHostname, String keyLocation) {

    /** The SSL context and trust manager OkHttp needs. */
    public Context build() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(truststoreLocation.isEmpty() ? null : "PEM".equals(truststoreType)
                    ? PemFiles.trustStore(Path.of(truststoreLocation))
                    : load(truststoreLocation, truststorePassword, truststoreType));
            X509TrustManager trust = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    trust = x509;
                }
            }
            KeyManagerFactory kmf = null;
            if (!keystoreLocation.isEmpty()) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                KeyStore keys = "PEM".equals(keystoreType)
                        ? PemFiles.keyStore(Path.of(keystoreLocation), keyLocation.isEmpty() ? null : Path.of(keyLocation),
                        keystorePassword)
                        : load(keystoreLocation, keystorePassword, keystoreType);
                kmf.init(keys, "PEM".equals(keystoreType) ? PemFiles.STORE_PASSWORD : keystorePassword);
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[] {trust}, null);
            return new Context(ssl, trust);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("could not load the TLS stores (" + describe() + "): " + e.getMessage(), e);
        }
    }

    private String describe() {
        return "truststore '" + truststoreLocation + "', keystore '" + keystoreLocation + "'"
                + (keyLocation.isEmpty() ? "" : ", key '" + keyLocation + "'");
    }

    private static KeyStore load(String location, char[] password, String type)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password);
        }
        return store;
    }

    public record Context(SSLContext sslContext, X509TrustManager trustManager) {
    }
}
