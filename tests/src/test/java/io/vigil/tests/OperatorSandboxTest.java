package io.vigil.tests;

import io.vigil.examples.fraud.tls.LocalCertificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.Diagnostic;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.functions.FraudFunctions;
import io.vigil.runtime.FunctionHost;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator code that tries to reach outside its rows: EPL naming {@code Runtime}, {@code Files},
 * {@code System}, calling through reflection, or compiling Java with {@code create inlined_class}
 * is refused at compile time, at the line and column it does so; JavaScript reaching for Java
 * through {@code getClass()} or {@code Java.type} finds nothing there. The host goes on serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorSandboxTest {
    static final String FIELDS = "cardId, txnId, amount, ts from Txn";

    @TempDir
    static Path files;

    TestHosts.Connected host;

    @BeforeAll
    void start() throws Exception {
        host = TestHosts.connected();
    }

    @AfterAll
    void stop() {
        host.close();
    }

    private Diagnostic refused(String name, String epl) {
        OperatorRejectedException e = (OperatorRejectedException) org.assertj.core.api.Assertions.catchThrowable(
                () -> host.control().deploy(FraudRules.spec(name, epl, 1)));
        assertThat(e).as("the deploy of %s is refused", name).isNotNull();
        assertThat(e.diagnostics()).isNotEmpty();
        return e.diagnostics().get(0);
    }

    @Test
    void eplThatNamesAClassOutsideTheAllowedOnesIsRefusedAtItsLineAndColumn() throws Exception {
        Path marker = files.resolve("pwned");
        Diagnostic files = refused("reads-files", "// reads the host's files\n"
                + "select java.nio.file.Files.readAllLines(java.nio.file.Paths.get('/etc/passwd')).toString() as rule, " + FIELDS);
        assertThat(files.getMessage()).contains("class java.nio.file.").contains("is not one EPL may use on this host")
                .contains("--epl-allow-classes");
        assertThat(files.getLine()).isEqualTo(2);
        assertThat(files.getColumn()).isEqualTo(8);

        Diagnostic runtime = refused("runs-commands", "select Runtime.getRuntime().exec('touch " + marker + "').toString() as rule, "
                + FIELDS);
        assertThat(runtime.getMessage()).contains("class java.lang.Runtime is not one EPL may use");
        assertThat(runtime.getColumn()).isEqualTo(8);

        Diagnostic exit = refused("exits", "select cardId as rule, " + FIELDS + "\n  where System.exit(3) = 1");
        assertThat(exit.getMessage()).contains("class java.lang.System is not one EPL may use");
        assertThat(exit.getLine()).isEqualTo(2);
        assertThat(exit.getColumn()).isEqualTo(9);

        assertThat(marker).doesNotExist();
        assertThat(host.control().list()).isEmpty();
    }

    @Test
    void eplThatReachesReflectionThroughAValueIsRefused() {
        Diagnostic reflection = refused("reflects", "select cardId.getClass().getClassLoader().loadClass('java.lang.Runtime').getName()"
                + " as rule, " + FIELDS);
        assertThat(reflection.getMessage()).contains("the EPL calls java.lang.").contains("which operators may not call on this host");
        assertThat(reflection.getLine()).isEqualTo(1);
        assertThat(reflection.getColumn()).isGreaterThan(1);
    }

    @Test
    void inlinedClassesAreRefusedUnlessTheHostAllowsThem() {
        Diagnostic inlined = refused("inlines", "create inlined_class \"\"\"\n"
                + "  public class Evil { public static String go() { System.exit(3); return \"x\"; } }\n\"\"\";\n"
                + "select Evil.go() as rule, " + FIELDS);
        assertThat(inlined.getMessage()).containsIgnoringCase("inlined");
        assertThat(inlined.getLine()).isEqualTo(1);
    }

    @Test
    void theMathAndStringHelpersAreAllowedAndAHostMayAllowMore() throws Exception {
        host.control().deploy(FraudRules.spec("helpers", "select cardId.toUpperCase() as rule, cardId, txnId,"
                + " Math.abs(java.math.BigDecimal.valueOf(amount).doubleValue()) as amount, ts from Txn", 1));
        host.control().undeploy("helpers");

        String usesTime = "select java.time.Duration.ofMillis(ts).toString() as rule, " + FIELDS;
        assertThat(refused("time", usesTime).getMessage()).contains("class java.time.Duration is not one EPL may use");
        try (FunctionHost allowing = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .languageSetting("esper", "allowClasses", "java.time.*").build().start()) {
            ManagedChannel toAllowing = TestHosts.channel(allowing);
            try {
                assertThat(TestHosts.control(toAllowing).deploy(FraudRules.spec("time", usesTime, 1)).getVersion()).isEqualTo(1);
            } finally {
                toAllowing.shutdownNow();
            }
        }
    }

    @Test
    void javaRunsInTheHostOnlyFromAJarSignedByATrustedKeyAndNeverOneThatStopsTheHost() throws Exception {
        LocalCertificates signers = LocalCertificates.authority("release-signers", files);
        LocalCertificates.Issued release = signers.issue("release", files);
        LocalCertificates.Issued foreign = LocalCertificates.authority("someone-else", files).issue("someone", files);
        byte[] unsigned = FraudFunctions.jar();
        OperatorSpec spec = FraudFunctions.spec("signed-java", io.vigil.examples.fraud.functions.SmallThenLarge.class, 1);
        try (FunctionHost trusting = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .languageSetting("java", "trustedSigners", signers.caFile.toString())
                .languageSetting("java", "allowUnsigned", "false").build().start()) {
            ManagedChannel toTrusting = TestHosts.channel(trusting);
            try {
                ControlPlaneClient client = TestHosts.control(toTrusting);
                assertThatThrownBy(() -> client.deploy(spec.toBuilder().setArtifact(ByteString.copyFrom(unsigned)).build()))
                        .hasMessageContaining("the operator's jar is not signed")
                        .hasMessageContaining("run untrusted Java as a remote gRPC operator instead");
                assertThatThrownBy(() -> client.deploy(spec.toBuilder().setArtifact(ByteString.copyFrom(signed(unsigned, foreign)))
                        .build())).hasMessageContaining("signed by a key this host does not trust");
                byte[] signed = signed(unsigned, release);
                assertThatThrownBy(() -> client.deploy(spec.toBuilder().setArtifact(ByteString.copyFrom(tampered(signed))).build()))
                        .hasMessageContaining("the operator's jar was changed after it was signed");
                assertThatThrownBy(() -> client.deploy(spec.toBuilder().setSource(ExitingFunction.class.getName())
                        .setArtifact(ByteString.copyFrom(signed(FraudFunctions.jarOf(ExitingFunction.class), release))).build()))
                        .hasMessageContaining("calls java.lang.System.exit: no operator may stop the host");

                client.deploy(spec.toBuilder().setArtifact(ByteString.copyFrom(signed)).build());
                try (RawStream stream = new RawStream(toTrusting).open("signed-java", 0, FraudRules.TRANSACTION)) {
                    assertThat(stream.next().hasOpened()).isTrue();
                    stream.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
                    assertThat(stream.next().hasResults()).as("the signed jar runs").isTrue();
                }
            } finally {
                toTrusting.shutdownNow();
            }
        }
        assertThatThrownBy(() -> host.control().deploy(spec.toBuilder().setSource(ExitingFunction.class.getName())
                .setArtifact(ByteString.copyFrom(FraudFunctions.jarOf(ExitingFunction.class))).build()))
                .as("a loopback host runs unsigned jars, but none that stops it")
                .hasMessageContaining("no operator may stop the host");
    }

    /** {@code jar} signed with {@code signer}'s key, as jarsigner would. */
    private static byte[] signed(byte[] jar, LocalCertificates.Issued signer) throws Exception {
        java.security.PrivateKey key;
        java.security.cert.X509Certificate[] chain;
        try (var keyIn = Files.newInputStream(signer.key()); var certIn = Files.newInputStream(signer.certificate())) {
            key = io.grpc.util.CertificateUtils.getPrivateKey(keyIn);
            chain = io.grpc.util.CertificateUtils.getX509Certificates(certIn);
        }
        Path unsignedFile = Files.write(Files.createTempFile(files, "unsigned", ".jar"), jar);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(unsignedFile.toFile())) {
            new jdk.security.jarsigner.JarSigner.Builder(key,
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertPath(java.util.List.of(chain)))
                    .build().sign(in, out);
        }
        return out.toByteArray();
    }

    /** The signed jar with one byte of its first class changed, the signature files as they were. */
    private static byte[] tampered(byte[] signedJar) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        boolean changed = false;
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(signedJar));
             var zip = new java.util.zip.ZipOutputStream(out)) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (!changed && entry.getName().endsWith(".class")) {
                    bytes[bytes.length - 1] ^= 1;
                    changed = true;
                }
                zip.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void aGrpcOperatorMayNameOnlyAddressesTheHostAllows() throws Exception {
        OperatorSpec outside = FraudFunctions.python("reaches-out", "small-then-large", "metadata.internal:80", 1);
        assertThatThrownBy(() -> host.control().deploy(outside))
                .hasMessageContaining("the process address 'metadata.internal:80' is not one this host may reach")
                .hasMessageContaining("127.0.0.1:*").hasMessageContaining("--grpc-allow-targets");
        assertThat(host.control().list()).isEmpty();
    }

    @Test
    void aVersionThatKeepsFailingItsShardTakesNoMoreStreamsUntilItIsUpdated() throws Exception {
        OperatorSpec failing = FraudFunctions.javascript("crashing", "small-then-large", 1).toBuilder()
                .setSource("function process(txn, results) { throw new Error('bad rule for ' + txn.cardId); }").build();
        host.control().deploy(failing);
        try {
            for (int attempt = 1; attempt <= 3; attempt++) {
                try (RawStream stream = new RawStream(host.channel()).open("crashing", 0, FraudRules.TRANSACTION)) {
                    assertThat(stream.next().hasOpened()).as("attempt %d opens", attempt).isTrue();
                    // Later events each time: the shard's clock moved on with the failed batch.
                    stream.send(DataPlaneErrorsTest.transactions(10L * attempt, "c1"), 1);
                    HostFrame failed = stream.next();
                    assertThat(failed.getError().getMessage()).as("%s", failed).contains("bad rule for c1");
                }
            }
            try (RawStream fourth = new RawStream(host.channel()).open("crashing", 0, FraudRules.TRANSACTION)) {
                io.vigil.api.proto.StreamError refused = fourth.next().getError();
                assertThat(refused.getCode()).isEqualTo(io.vigil.api.proto.StreamError.Code.OPERATOR_FAILED);
                assertThat(refused.getMessage()).contains("version 1 failed this shard 3 times within 5 minutes")
                        .contains("bad rule for c1").contains("until it is updated, rolled back or undeployed");
            }
            host.control().update(failing.toBuilder().setSource("function process(txn, results) {"
                    + " results.emit('OK', txn.cardId, txn.txnId, txn.amount, txn.ts); }").build());
            try (RawStream fixed = new RawStream(host.channel()).open("crashing", 0, FraudRules.TRANSACTION)) {
                assertThat(fixed.next().hasOpened()).as("the next version takes streams again").isTrue();
                fixed.send(DataPlaneErrorsTest.transactions(100, "c1"), 1);
                assertThat(fixed.next().hasResults()).isTrue();
            }
        } finally {
            host.control().undeploy("crashing");
        }
    }

    @Test
    void javaScriptFindsNoWayToJava() throws Exception {
        Path marker = files.resolve("js-pwned");
        String script = """
                let attempts = [];
                function attempt(name, reach) {
                  try { reach(); attempts.push(name + ' reached Java'); } catch (e) { }
                }
                function open(context) {
                  attempt('context.getClass', () => context.getClass().getClassLoader());
                }
                function process(txn, results) {
                  attempt('results.getClass', () => results.getClass().getClassLoader().loadClass('java.lang.Runtime'));
                  attempt('Java.type', () => Java.type('java.lang.Runtime').getRuntime().exec('touch %s'));
                  attempt('txn.getClass', () => txn.getClass().forName('java.lang.Runtime'));
                  attempt('emit.getClass', () => results.emit.getClass());
                  attempt('Polyglot', () => Polyglot.eval('java', 'java.lang.Runtime'));
                  attempt('Packages', () => Packages.java.lang.Runtime.getRuntime());
                  if (attempts.length > 0) {
                    throw new Error('escaped: ' + attempts.join(', '));
                  }
                  results.emit('NOTHING_REACHED', txn.cardId, txn.txnId, txn.amount, txn.ts);
                }
                """.formatted(marker);
        OperatorSpec spec = FraudFunctions.javascript("js-escape", "small-then-large", 1).toBuilder().setSource(script).build();
        host.control().deploy(spec);
        try (RawStream stream = new RawStream(host.channel()).open("js-escape", 0, FraudRules.TRANSACTION)) {
            assertThat(stream.next().hasOpened()).isTrue();
            stream.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
            HostFrame answer = stream.next();
            assertThat(answer.hasResults()).as("every attempt failed inside the script: %s", answer).isTrue();
            assertThat(answer.getResults().getRowCount()).isEqualTo(1);
        } finally {
            host.control().undeploy("js-escape");
        }
        assertThat(marker).doesNotExist();
        assertThatThrownBy(() -> Files.readString(marker)).isNotNull();
    }
}
