package io.socketaudit.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS context for both ends of a loopback connection: a self-signed certificate made at run
 * time by the running JDK's {@code keytool}, so no key material is checked in, and a trust store
 * that trusts exactly that certificate.
 */
final class SelfSignedTls {

    private static final String ALIAS = "socket-audit-demo";
    // Protects a key store that lives for a few milliseconds in a private temporary directory.
    private static final char[] PASSWORD = "socket-audit-demo".toCharArray();

    private SelfSignedTls() {
    }

    static SSLContext createContext() throws IOException, GeneralSecurityException, InterruptedException {
        KeyStore keys = generateKeyStore();
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry(ALIAS, keys.getCertificate(ALIAS));

        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    private static KeyStore generateKeyStore() throws IOException, GeneralSecurityException, InterruptedException {
        Path directory = Files.createTempDirectory("socket-audit-demo-tls");
        Path file = directory.resolve("demo.p12");
        try {
            runKeytool(file);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                keys.load(in, PASSWORD);
            }
            return keys;
        } finally {
            Files.deleteIfExists(file);
            Files.delete(directory);
        }
    }

    /** An EC key rather than RSA: generated in milliseconds, so the demo stays fast. */
    private static void runKeytool(Path keyStore) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        String password = new String(PASSWORD);
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair",
                "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "1",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", password, "-keypass", password)
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        if (status != 0) {
            throw new IOException(keytool + " failed with status " + status + ": " + output.trim());
        }
    }
}
