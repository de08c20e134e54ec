package io.vigil.adapter.java;

import io.vigil.api.spi.ForbiddenCalls;
import io.vigil.api.spi.OperatorCompileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Which Java operator jars may run inside the host's JVM: those signed by a key the host trusts
 * (a certificate in its trusted signers, or one they signed), every entry of them, unchanged since
 * signing; unsigned jars only where the host allows them (a host serving plaintext on loopback,
 * one person's machine). Whatever the signer, a jar that calls {@code System.exit} or
 * {@code Runtime.halt} is refused: no operator stops the host.
 */
final class TrustedJars {
    private final List<X509Certificate> signers;
    private final boolean allowUnsigned;

    TrustedJars(List<X509Certificate> signers, boolean allowUnsigned) {
        this.signers = List.copyOf(signers);
        this.allowUnsigned = allowUnsigned;
    }

    /** @throws IllegalArgumentException naming the file when it holds no certificate */
    static List<X509Certificate> readCertificates(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(pem + " holds no certificate");
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the trusted signers " + pem + " (PEM certificates): " + e.getMessage(), e);
        }
    }

    TrustedJars withSigners(List<X509Certificate> trusted) {
        return new TrustedJars(trusted, allowUnsigned);
    }

    TrustedJars allowingUnsigned(boolean allow) {
        return new TrustedJars(signers, allow);
    }

    /** @throws OperatorCompileException saying why the jar may not run here */
    void check(Path jar) throws OperatorCompileException {
        List<String> unsigned = new ArrayList<>();
        List<String> untrusted = new ArrayList<>();
        List<byte[]> classes = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            for (JarEntry entry : Collections.list(file.entries())) {
                if (entry.isDirectory() || isSignatureFile(entry.getName())) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = file.getInputStream(entry)) {
                    // Reading all of it is what checks it against its signed digest.
                    bytes = in.readAllBytes();
                }
                if (entry.getName().endsWith(".class")) {
                    classes.add(bytes);
                }
                CodeSigner[] codeSigners = entry.getCodeSigners();
                if (codeSigners == null) {
                    unsigned.add(entry.getName());
                } else if (!trusted(codeSigners)) {
                    untrusted.add(entry.getName());
                }
            }
        } catch (SecurityException e) {
            throw new OperatorCompileException("the operator's jar was changed after it was signed: " + e.getMessage(), 1, 1);
        } catch (IOException e) {
            throw new OperatorCompileException("the operator's artifact is not a jar: " + e.getMessage(), 1, 1);
        }
        if (!unsigned.isEmpty() && !allowUnsigned) {
            throw new OperatorCompileException("the operator's jar is not signed (" + unsigned.get(0) + (unsigned.size() > 1 ? " and "
                    + (unsigned.size() - 1) + " more entries" : "") + "): this host runs Java operators only from jars signed by a"
                    + " key it trusts (--java-trusted-signers); run untrusted Java as a remote gRPC operator instead", 1, 1);
        }
        if (!untrusted.isEmpty()) {
            throw new OperatorCompileException("the operator's jar is signed by a key this host does not trust (" + untrusted.get(0)
                    + "); trusted: " + (signers.isEmpty() ? "none (--java-trusted-signers)" : signers.stream()
                            .map(c -> c.getSubjectX500Principal().getName()).toList()), 1, 1);
        }
        List<String> stopping = ForbiddenCalls.STOPPING_THE_HOST.in(classes);
        if (!stopping.isEmpty()) {
            throw new OperatorCompileException("the operator's jar calls " + String.join(", ", stopping)
                    + ": no operator may stop the host", 1, 1);
        }
    }

    private boolean trusted(CodeSigner[] codeSigners) {
        for (CodeSigner signer : codeSigners) {
            for (Certificate certificate : signer.getSignerCertPath().getCertificates()) {
                for (X509Certificate trusted : signers) {
                    if (certificate.equals(trusted) || signedBy(certificate, trusted)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean signedBy(Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean isSignatureFile(String name) {
        if (!name.startsWith("META-INF/") || name.indexOf('/', "META-INF/".length()) >= 0) {
            return false;
        }
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return upper.equals("META-INF/MANIFEST.MF") || upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA")
                || upper.endsWith(".EC") || upper.startsWith("META-INF/SIG-");
    }
}
