package io.lokiconnect.sink.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PEM trust and key files, as Kubernetes secrets and cert-manager hold them ({@code ca.crt}, {@code tls.crt},
 * {@code tls.key}), turned into the key stores Java's TLS reads: certificates ({@code BEGIN CERTIFICATE}), and a
 * private key in PKCS#8 ({@code BEGIN PRIVATE KEY}; {@code BEGIN ENCRYPTED PRIVATE KEY} with the key store password),
 * or RSA's PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, cert-manager's default), read into PKCS#8.
 */
final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    /** The password of the in-memory key store's entry (the PEM key itself has none or the configured one). */
    static final char[] STORE_PASSWORD = "pem-in-memory".toCharArray();

    private PemFiles() {
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return blocks;
    }

    /** A key store of every certificate in {@code file}, trusted. */
    static KeyStore trustStore(Path file) throws IOException, GeneralSecurityException {
        List<Certificate> certificates = certificates(file);
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("no '-----BEGIN CERTIFICATE-----' block in " + file);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca-" + i, certificates.get(i));
        }
        return store;
    }

    /**
     * A key store of the certificate chain in {@code chainFile} and the private key in {@code keyFile} (or in the
     * chain file when {@code keyFile} is null); {@code password} decrypts an encrypted key. The entry's password is
     * {@link #STORE_PASSWORD}.
     */
    static KeyStore keyStore(Path chainFile, Path keyFile, char[] password) throws IOException, GeneralSecurityException {
        List<Certificate> chain = certificates(chainFile);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no '-----BEGIN CERTIFICATE-----' block in " + chainFile);
        }
        Path keyPath = keyFile == null ? chainFile : keyFile;
        PrivateKey key = null;
        for (Block block : blocks(keyPath)) {
            if (block.type().endsWith("PRIVATE KEY")) {
                key = privateKey(block, password, chain.get(0).getPublicKey().getAlgorithm());
                break;
            }
        }
        if (key == null) {
            throw new GeneralSecurityException("no private key block ('-----BEGIN PRIVATE KEY-----') in " + keyPath);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, STORE_PASSWORD, chain.toArray(new Certificate[0]));
        return store;
    }

    private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<Certificate> certificates = new ArrayList<>();
        for (Block block : blocks(file)) {
            if (block.type().equals("CERTIFICATE")) {
                certificates.add(factory.generateCertificate(new ByteArrayInputStream(block.der())));
            }
        }
        return certificates;
    }

    private static PrivateKey privateKey(Block block, char[] password, String algorithm)
            throws IOException, GeneralSecurityException {
        byte[] pkcs8;
        switch (block.type()) {
            case "PRIVATE KEY" -> pkcs8 = block.der();
            case "RSA PRIVATE KEY" -> pkcs8 = rsaPkcs1ToPkcs8(block.der());
            case "ENCRYPTED PRIVATE KEY" -> {
                if (password.length == 0) {
                    throw new GeneralSecurityException("the private key is encrypted: set loki.tls.keystore.password");
                }
                EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(block.der());
                SecretKeyFactory factory = SecretKeyFactory.getInstance(info.getAlgName());
                Cipher cipher = Cipher.getInstance(info.getAlgName());
                cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(password)),
                        info.getAlgParameters());
                pkcs8 = info.getKeySpec(cipher).getEncoded();
            }
            default -> throw new GeneralSecurityException("a '" + block.type() + "' key cannot be read; convert it to "
                    + "PKCS#8: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem");
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /** PKCS#1 RSAPrivateKey wrapped as a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, the key as an octet string). */
    static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }
}
