package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.Diagnostic;
import io.vigil.api.proto.HealthResponse;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deploy, Update, Undeploy, List, Describe and Health against a real host over gRPC. */
class ControlPlaneTest {
    static final String BIG = "@name('big') select 'BIG' as rule, cardId, txnId, amount, ts from Txn(amount > 1000)";

    FunctionHost host;
    ManagedChannel channel;
    ControlPlaneClient control;

    @BeforeEach
    void start() throws Exception {
        host = TestHosts.start();
        channel = TestHosts.channel(host);
        control = TestHosts.control(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        host.close();
    }

    @Test
    void healthNamesTheLanguagesFromPlugins() {
        HealthResponse health = control.health();
        assertThat(health.getState()).isEqualTo(HealthResponse.State.SERVING);
        assertThat(health.getLanguagesList()).contains("esper");
    }

    @Test
    void esperIsLoadedInItsOwnClassLoaderNotFromTheHostsClassPath() throws Exception {
        // The tests' class path has an Esper of its own (the differential test's reference): the
        // plugin must still use the one in its folder.
        assertThatThrownBy(() -> Class.forName("io.vigil.adapter.esper.EsperAdapter")).isInstanceOf(ClassNotFoundException.class);
        ClassLoader plugin = io.vigil.runtime.plugin.LanguagePlugins.load(TestHosts.plugins()).adapter("esper").getClass().getClassLoader();
        assertThat(plugin).isInstanceOf(io.vigil.runtime.plugin.PluginClassLoader.class);
        Class<?> pluginsEsper = plugin.loadClass("com.espertech.esper.runtime.client.EPRuntime");
        assertThat(pluginsEsper.getClassLoader()).isSameAs(plugin);
        assertThat(pluginsEsper).isNotSameAs(Class.forName("com.espertech.esper.runtime.client.EPRuntime"));
        control.deploy(FraudRules.spec("isolated", BIG, 1));
        assertThat(control.describe("isolated").getVersion()).isEqualTo(1);
    }

    @Test
    void deployListDescribeUndeploy() {
        OperatorStatus deployed = control.deploy(FraudRules.spec("big-charges", BIG, 3));
        assertThat(deployed.getVersion()).isEqualTo(1);
        assertThat(deployed.getShardsCount()).isEqualTo(3);
        assertThat(deployed.getKeyGroups()).isEqualTo(128);

        control.deploy(FraudRules.spec(2));
        assertThat(control.list()).extracting(s -> s.getSpec().getName()).containsExactly("big-charges", "fraud-rules");
        OperatorStatus described = control.describe("fraud-rules");
        assertThat(described.getSpec().getLanguage()).isEqualTo("esper");
        assertThat(described.getSpec().getKeyField()).isEqualTo("cardId");
        assertThat(described.getShardsList()).extracting(s -> s.getShard()).containsExactly(0, 1);
        assertThat(control.health().getOperators()).isEqualTo(2);

        assertThat(control.undeploy("big-charges").getName()).isEqualTo("big-charges");
        assertThat(control.list()).extracting(s -> s.getSpec().getName()).containsExactly("fraud-rules");
        assertThatThrownBy(() -> control.describe("big-charges"))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void malformedEplIsRejectedWithLineAndColumnAndNothingIsDeployed() {
        String epl = "@name('ok') select 'A' as rule, cardId, txnId, amount, ts from Txn;\n"
                + "\n"
                + "@name('broken') select 'B' as rule, cardId, txnId, amount, ts frm Txn";
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("broken", epl, 1)))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("operator 'broken' does not compile").contains("line 3");
                    Diagnostic diagnostic = e.diagnostics().get(0);
                    assertThat(diagnostic.getLine()).isEqualTo(3);
                    assertThat(diagnostic.getColumn()).as("Esper points at the token after the stray word").isEqualTo(67);
                });
        assertThat(control.list()).isEmpty();
    }

    @Test
    void unknownPropertyIsLocated() {
        String epl = "select 'B' as rule, cardId, txnId, amount, timestamp as ts from Txn";
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("typo", epl, 1)))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
                    assertThat(e.getMessage()).contains("timestamp");
                    assertThat(e.diagnostics().get(0).getLine()).isEqualTo(1);
                    assertThat(e.diagnostics().get(0).getColumn()).isEqualTo(44);
                });
    }

    @Test
    void unknownLanguageNamesTheLanguagesTheHostRuns() {
        OperatorSpec spec = FraudRules.spec("cobol", BIG, 1).toBuilder().setLanguage("cobol").build();
        assertThatThrownBy(() -> control.deploy(spec))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("unknown language 'cobol'").contains("this host runs: esper");
                });
    }

    @Test
    void invalidSpecsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("k", BIG, 1).toBuilder().setKeyField("card").build()))
                .hasMessageContaining("key field 'card' is not a field of input schema");
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("Bad_Name", BIG, 1)))
                .hasMessageContaining("must be 'name' or 'tenant/name', each lower-case letters");
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("many", BIG, 500)))
                .hasMessageContaining("shards must be between 1 and 128");
        assertThat(control.list()).isEmpty();
    }

    /** Limits, each a clear error: an error about a name of thousands of characters quotes only its start. */
    @Test
    void aSpecPastALimitIsRefusedNamingTheLimit() {
        String longName = "a".repeat(20_000);
        assertThatThrownBy(() -> control.deploy(FraudRules.spec(longName, BIG, 1)))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("is 20000 characters long; at most 127").hasSizeLessThan(400);
                });
        String source = BIG + "\n" + "// padding\n".repeat(100_000);
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("huge", source, 1)))
                .hasMessageContaining("bytes; at most 1048576 (1 MiB)");
        var options = FraudRules.spec("optioned", BIG, 1).toBuilder();
        for (int o = 0; o < 65; o++) {
            options.putOptions("option-" + o, "x");
        }
        assertThatThrownBy(() -> control.deploy(options.build())).hasMessageContaining("has 65 options; at most 64");
        String manyStatements = (BIG.replace("@name('big') ", "") + ";\n").repeat(257);
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("many-statements", manyStatements, 1)))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> {
                    assertThat(e.getMessage()).contains("the module has 257 statements; at most 256 on this host");
                    assertThat(e.diagnostics().get(0).getLine()).as("the first statement past the limit").isEqualTo(257);
                });
        assertThat(control.list()).isEmpty();
    }

    /** Random bytes, or a name that is not UTF-8, sent as a Deploy: a clear error, and the host serves on. */
    @Test
    void bytesThatAreNoDeployRequestAreRefusedAsSuch() {
        io.grpc.MethodDescriptor<byte[], byte[]> rawDeploy = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(io.vigil.api.proto.ControlPlaneGrpc.getDeployMethod().getFullMethodName())
                .setRequestMarshaller(RawBytes.INSTANCE).setResponseMarshaller(RawBytes.INSTANCE).build();
        java.util.Random random = new java.util.Random(7);
        byte[] invalidUtf8Name = io.vigil.api.proto.DeployRequest.newBuilder().setSpec(FraudRules.spec("x", BIG, 1)).build().toByteArray();
        int at = indexOf(invalidUtf8Name, (byte) 'x');
        invalidUtf8Name[at] = (byte) 0xC3;
        for (byte[] request : java.util.List.of(randomBytes(random, 64), randomBytes(random, 300), invalidUtf8Name)) {
            assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, rawDeploy,
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS), request))
                    .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).startsWith("not a DeployRequest");
                    });
        }
        assertThat(control.health().getState()).isEqualTo(HealthResponse.State.SERVING);
    }

    private static byte[] randomBytes(java.util.Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        throw new AssertionError("no such byte");
    }

    private enum RawBytes implements io.grpc.MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** One caller may keep only so many streams open at once on a host, over all operators. */
    @Test
    void aCallerPastItsStreamsIsRefusedNamingTheBound() throws Exception {
        try (FunctionHost bounded = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .maxStreamsPerClient(1).build().start()) {
            ManagedChannel toBounded = TestHosts.channel(bounded);
            try {
                TestHosts.control(toBounded).deploy(FraudRules.spec("bounded", BIG, 2));
                try (RawStream first = new RawStream(toBounded).open("bounded", 0, DataPlaneErrorsTest.TXN)) {
                    assertThat(first.next().hasOpened()).isTrue();
                    RawStream second = new RawStream(toBounded).open("bounded", 1, DataPlaneErrorsTest.TXN);
                    io.vigil.api.proto.StreamError refused = second.next().getError();
                    assertThat(refused.getCode()).isEqualTo(io.vigil.api.proto.StreamError.Code.OVER_QUOTA);
                    assertThat(refused.getMessage()).contains("caller 'anonymous'").contains("has 1 streams open on this host");
                }
            } finally {
                toBounded.shutdownNow();
            }
        }
    }

    /**
     * A compile past the host's budget is given up and refused, and while it runs the host answers
     * other calls: compiles run outside the host's lock.
     */
    @Test
    void aCompilePastItsBudgetIsRefusedAndHoldsUpNoOtherCall() throws Exception {
        try (FunctionHost budgeted = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .compileBudget(java.time.Duration.ofSeconds(5)).languageSetting("esper", "maxStatements", "1000").build().start()) {
            ManagedChannel toBudgeted = TestHosts.channel(budgeted);
            try {
                ControlPlaneClient budgetedControl = TestHosts.control(toBudgeted);
                budgetedControl.deploy(FraudRules.spec("quick", BIG, 1));
                StringBuilder statements = new StringBuilder();
                // About 11 s to compile here (this machine, 2026-12-06): past the budget.
                for (int i = 0; i < 600; i++) {
                    statements.append("@name('s").append(i).append("') select 'S").append(i)
                            .append("' as rule, cardId, txnId, amount, ts from Txn(amount > ").append(i).append(");\n");
                }
                var slow = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> budgetedControl.deploy(FraudRules.spec("slow", statements.toString(), 1)));
                TestHosts.await(() -> "the slow compile never started", java.time.Duration.ofSeconds(5), ControlPlaneTest::compiling);
                assertThat(budgetedControl.list()).as("answered while the compile runs")
                        .extracting(status -> status.getSpec().getName()).containsExactly("quick");
                assertThat(slow).as("still compiling").isNotDone();
                assertThatThrownBy(slow::join).hasCauseInstanceOf(OperatorRejectedException.class)
                        .cause().satisfies(e -> assertThat(((OperatorRejectedException) e).code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                        .hasMessageContaining("did not compile within the host's budget of 5 s");
                assertThat(budgetedControl.list()).extracting(status -> status.getSpec().getName()).containsExactly("quick");
                TestHosts.await(() -> "the compile past its budget was still running 5 s later", java.time.Duration.ofSeconds(5),
                        () -> !compiling());
                assertThat(compiling()).as("the compile past its budget was cancelled, not left running").isFalse();
            } finally {
                toBudgeted.shutdownNow();
            }
        }
    }

    /** Whether any thread is inside the Esper adapter's compile. */
    private static boolean compiling() {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> java.util.Arrays.stream(stack)
                .anyMatch(frame -> frame.getClassName().equals("io.vigil.adapter.esper.EsperAdapter") && frame.getMethodName().equals("compile")));
    }

    @Test
    void deployingTwiceIsRefused() {
        control.deploy(FraudRules.spec("twice", BIG, 1));
        assertThatThrownBy(() -> control.deploy(FraudRules.spec("twice", BIG, 1)))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ALREADY_EXISTS));
    }

    @Test
    void updateActivatesANewVersionAndABrokenUpdateKeepsTheOldOne() {
        control.deploy(FraudRules.spec("rules", BIG, 2));
        OperatorStatus updated = control.update(FraudRules.spec("rules", BIG.replace("1000", "500"), 2));
        assertThat(updated.getVersion()).isEqualTo(2);
        assertThat(updated.getShardsList()).allMatch(s -> s.getVersion() == 2);
        assertThat(updated.getSpec().getSource()).contains("500");

        assertThatThrownBy(() -> control.update(FraudRules.spec("rules", "select nonsense from Txn", 2)))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        OperatorStatus after = control.describe("rules");
        assertThat(after.getVersion()).isEqualTo(2);
        assertThat(after.getSpec().getSource()).contains("500");

        assertThatThrownBy(() -> control.update(FraudRules.spec("rules", BIG, 3)))
                .isInstanceOfSatisfying(OperatorRejectedException.class,
                        e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThatThrownBy(() -> control.update(FraudRules.spec("absent", BIG, 1)))
                .isInstanceOfSatisfying(OperatorRejectedException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
    }
}
