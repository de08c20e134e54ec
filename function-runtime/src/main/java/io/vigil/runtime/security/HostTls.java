package io.vigil.runtime.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.vigil.api.security.TransportSecurity;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host's TLS: its certificate and key, and the authority its clients' certificates must be
 * signed by (every client must present one: mutual TLS). The files are read again every
 * {@code reload} so a renewed certificate is served to new connections without a restart; open
 * connections, and the streams on them, go on. The host reaches other hosts of its pool with the
 * same certificate and authority ({@link #asClient()}).
 */
public final class HostTls {
    private static final Logger LOG = LoggerFactory.getLogger(HostTls.class);
    private final Path certificateChain;
    private final Path privateKey;
    private final Path clientCa;
    // When the files were last read (see modified()); only the watcher's thread writes it.
    private volatile long readAt;

    /** @throws IllegalArgumentException naming a file that cannot be read */
    public HostTls(Path certificateChain, Path privateKey, Path clientCa) {
        TransportSecurity.requireReadable(certificateChain, privateKey, clientCa);
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.clientCa = clientCa;
    }

    /**
     * Server credentials; the files are read again by {@code watcher} when they change.
     *
     * @param certificateRequired whether every client must present a certificate (else a client
     *                            may show a bearer token instead, or nothing and be anonymous)
     */
    public ServerCredentials serverCredentials(Duration reload, ScheduledExecutorService watcher, boolean certificateRequired)
            throws IOException {
        Managers managers = managers(reload, watcher);
        return TlsServerCredentials.newBuilder()
                .keyManager(managers.keys())
                .trustManager(managers.clients())
                .clientAuth(certificateRequired ? TlsServerCredentials.ClientAuth.REQUIRE : TlsServerCredentials.ClientAuth.OPTIONAL)
                .build();
    }

    /**
     * The same certificate, key and client authority for an HTTPS server (the web console),
     * reloaded with the gRPC server's; call after {@link #serverCredentials}.
     */
    public SSLContext sslContext() throws IOException {
        Managers loaded = managers;
        if (loaded == null) {
            throw new IllegalStateException("serverCredentials first: it starts reading the TLS files");
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {loaded.keys()}, new TrustManager[] {loaded.clients()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS context for " + certificateChain + ": " + e.getMessage(), e);
        }
    }

    private record Managers(AdvancedTlsX509KeyManager keys, AdvancedTlsX509TrustManager clients) {
    }

    private volatile Managers managers;

    /** The key and trust managers, made once; the files are read again by {@code watcher} when they change. */
    private synchronized Managers managers(Duration reload, ScheduledExecutorService watcher) throws IOException {
        if (managers != null) {
            return managers;
        }
        try {
            AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
            loadIdentity(keys);
            AdvancedTlsX509TrustManager clients = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build();
            clients.updateTrustCredentials(clientCa.toFile());
            readAt = modified();
            watcher.scheduleWithFixedDelay(() -> {
                long now = modified();
                if (now == readAt) {
                    return;
                }
                try {
                    loadIdentity(keys);
                    clients.updateTrustCredentials(clientCa.toFile());
                    readAt = now;
                    LOG.info("TLS certificate {} and client authority {} read again", certificateChain, clientCa);
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    // Half written, or a key that does not match yet: the previous ones serve until the next look.
                    LOG.warn("TLS files {}, {}, {} changed but cannot be used yet: {}", certificateChain, privateKey, clientCa, e.toString());
                }
            }, reload.toMillis(), reload.toMillis(), TimeUnit.MILLISECONDS);
            managers = new Managers(keys, clients);
            return managers;
        } catch (GeneralSecurityException e) {
            throw new IOException("the TLS files " + certificateChain + ", " + privateKey + ", " + clientCa + " do not hold a usable"
                    + " certificate, key and authority (PEM; the key PKCS#8): " + e.getMessage(), e);
        }
    }

    /** Reads the certificate and key, and uses them only if the key is the certificate's (not one of a pair half renewed). */
    private void loadIdentity(AdvancedTlsX509KeyManager keys) throws IOException, GeneralSecurityException {
        X509Certificate[] chain;
        PrivateKey key;
        try (InputStream certificates = Files.newInputStream(certificateChain); InputStream keyFile = Files.newInputStream(privateKey)) {
            chain = CertificateUtils.getX509Certificates(certificates);
            key = CertificateUtils.getPrivateKey(keyFile);
        }
        if (chain.length == 0) {
            throw new GeneralSecurityException(certificateChain + " holds no certificate");
        }
        Signature probe = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA");
        byte[] message = certificateChain.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        probe.initSign(key);
        probe.update(message);
        byte[] signature = probe.sign();
        probe.initVerify(chain[0].getPublicKey());
        probe.update(message);
        if (!probe.verify(signature)) {
            throw new GeneralSecurityException("the key in " + privateKey + " is not the key of the certificate in " + certificateChain);
        }
        keys.updateIdentityCredentials(chain, key);
    }

    /** When any of the three files last changed, as one number that moves when any does. */
    private long modified() {
        long sum = 0;
        for (Path file : new Path[] {certificateChain, privateKey, clientCa}) {
            sum = sum * 31 + file.toFile().lastModified();
        }
        return sum;
    }

    /** The name the host's certificate gives it (its subject's CN): the identity it calls the other hosts of its pool with. */
    public String subjectName() throws IOException {
        try (InputStream certificates = Files.newInputStream(certificateChain)) {
            X509Certificate[] chain = CertificateUtils.getX509Certificates(certificates);
            return chain.length == 0 ? null : CallerInterceptor.fromSubject(chain[0].getSubjectX500Principal().getName()).name();
        } catch (GeneralSecurityException e) {
            throw new IOException(certificateChain + " holds no readable certificate: " + e.getMessage(), e);
        }
    }

    /** How this host reaches the other hosts of its pool. */
    public TransportSecurity asClient() {
        return TransportSecurity.tls(clientCa, certificateChain, privateKey);
    }

    @Override
    public String toString() {
        return "TLS with client certificates (" + certificateChain + ", clients signed by " + clientCa + ")";
    }
}
