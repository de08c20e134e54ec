package io.vigil.examples.fraud.tls;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made on the spot, and the certificates it signs, written as PEM files:
 * for the demo and the benchmarks run over mutual TLS, and for the tests. Good for a day; not for
 * production, where certificates come from the cluster's own authority (cert-manager, say).
 */
public final class LocalCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    /** The authority's certificate, PEM. */
    public final Path caFile;

    private LocalCertificates(String name, Path directory) throws GeneralSecurityException, IOException, OperatorCreationException {
        this.name = new X500Name("CN=" + name);
        this.keys = keyPair();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(this.name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofMinutes(1))), Date.from(Instant.now().plus(Duration.ofDays(1))),
                this.name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.certificate = sign(builder);
        this.caFile = directory.resolve(name + "-ca.pem");
        write(caFile, certificate);
    }

    public static LocalCertificates authority(String name, Path directory) throws Exception {
        return new LocalCertificates(name, directory);
    }

    /** A certificate and key for {@code name}, good for 127.0.0.1 and localhost, as a server and as a client. */
    public Issued issue(String name, Path directory) throws Exception {
        return issue(name, null, directory);
    }

    /** The same, its subject also naming {@code group} as its organisation (O), which hosts read as the caller's group. */
    public Issued issue(String name, String group, Path directory) throws Exception {
        KeyPair leaf = keyPair();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(this.name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofMinutes(1))), Date.from(Instant.now().plus(Duration.ofDays(1))),
                new X500Name("CN=" + name + (group == null ? "" : ", O=" + group)), leaf.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        builder.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        Issued issued = new Issued(directory.resolve(name + "-cert.pem"), directory.resolve(name + "-key.pem"));
        write(issued.certificate(), sign(builder));
        try (Writer out = Files.newBufferedWriter(issued.key()); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(leaf.getPrivate(), null));
        }
        return issued;
    }

    /** PEM files of a certificate and its PKCS#8 key. */
    public record Issued(Path certificate, Path key) {
    }

    private X509Certificate sign(X509v3CertificateBuilder builder) throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static void write(Path file, Object pemObject) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(pemObject);
        }
    }
}
