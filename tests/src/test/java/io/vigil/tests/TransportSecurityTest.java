package io.vigil.tests;

import io.vigil.examples.fraud.tls.LocalCertificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorPool;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.ControlPlaneGrpc;
import io.vigil.api.proto.ListRequest;
import io.vigil.api.security.TransportSecurity;
import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.examples.fraud.TransactionGenerator;
import io.vigil.flink.VigilFunction;
import io.vigil.runtime.FunctionHost;
import io.vigil.runtime.security.HostTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host serving mutual TLS, with certificates made in the test: a client must present a
 * certificate its authority signed; plaintext, certificate-less and foreign-signed clients are
 * refused; a Flink job and the host's own pool calls get through with theirs; a renewed host
 * certificate is served to new connections while an open stream goes on; and a host that would
 * listen beyond loopback without TLS does not start unless told plaintext outright.
 */
class TransportSecurityTest {
    static final String ALL = "select 'ALL' as rule, cardId, txnId, amount, ts from Txn";

    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @TempDir
    Path files;

    LocalCertificates authority;
    LocalCertificates.Issued hostCertificate;
    LocalCertificates.Issued clientCertificate;

    @BeforeEach
    void certificates() throws Exception {
        authority = LocalCertificates.authority("vigil-test", files);
        hostCertificate = authority.issue("host", files);
        clientCertificate = authority.issue("job", files);
    }

    int healthPort;

    private FunctionHost tlsHost(Duration reload) throws Exception {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            healthPort = free.getLocalPort();
        }
        return FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .tls(new HostTls(hostCertificate.certificate(), hostCertificate.key(), authority.caFile)).tlsReload(reload)
                .healthPort(healthPort)
                .build().start();
    }

    private TransportSecurity client(Path trusted, LocalCertificates.Issued certificate) {
        return TransportSecurity.tls(trusted, certificate.certificate(), certificate.key());
    }

    private static Status.Code listing(ManagedChannel channel) {
        try {
            ControlPlaneGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).list(ListRequest.getDefaultInstance());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aTlsHostServesClientsWithACertificateItsAuthoritySignedAndNoOneElse() throws Exception {
        try (FunctionHost host = tlsHost(Duration.ofSeconds(60));
             OperatorPool pool = new OperatorPool(List.of(host.endpoint()), client(authority.caFile, clientCertificate)::channel,
                     Duration.ofSeconds(30))) {
            assertThat(pool.deploy(FraudRules.spec("tls-rules", ALL, 1)).getVersion()).isEqualTo(1);
            assertThat(pool.describe("tls-rules").getSpec().getName()).isEqualTo("tls-rules");

            assertThat(listing(Grpc.newChannelBuilder(host.endpoint(), InsecureChannelCredentials.create()).build()))
                    .as("a plaintext client").isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(listing(Grpc.newChannelBuilder(host.endpoint(), TlsChannelCredentials.newBuilder()
                    .trustManager(authority.caFile.toFile()).build()).build()))
                    .as("a TLS client without a certificate").isEqualTo(Status.Code.UNAVAILABLE);
            LocalCertificates foreign = LocalCertificates.authority("foreign", files);
            assertThat(listing(client(authority.caFile, foreign.issue("intruder", files)).channel(host.endpoint())))
                    .as("a client whose certificate another authority signed").isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(listing(client(foreign.caFile, clientCertificate).channel(host.endpoint())))
                    .as("a client that does not trust the host's authority").isEqualTo(Status.Code.UNAVAILABLE);

            ManagedChannel probe = TransportSecurity.plaintext().channel("127.0.0.1:" + healthPort);
            try {
                assertThat(io.grpc.health.v1.HealthGrpc.newBlockingStub(probe).check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance())
                        .getStatus()).as("the plaintext health port, for probes").isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            } finally {
                probe.shutdownNow();
            }
            assertThat(listing(TransportSecurity.plaintext().channel("127.0.0.1:" + healthPort)))
                    .as("the health port serves health alone").isEqualTo(Status.Code.UNIMPLEMENTED);
        }
    }

    @Test
    void theHostReachesAPythonOperatorProcessOverMutualTls() throws Exception {
        LocalCertificates.Issued process = authority.issue("python-operator", files);
        try (io.vigil.adapter.grpc.python.PythonOperatorProcess python = io.vigil.adapter.grpc.python.PythonOperatorProcess.startWithTls(
                "/fraud/python/fraud_rules.py", process.certificate(), process.key(), authority.caFile);
             FunctionHost host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                     .languageSetting("grpc", "tlsCa", authority.caFile.toString())
                     .languageSetting("grpc", "tlsCert", hostCertificate.certificate().toString())
                     .languageSetting("grpc", "tlsKey", hostCertificate.key().toString()).build().start()) {
            ManagedChannel channel = TestHosts.channel(host);
            try {
                TestHosts.control(channel).deploy(io.vigil.examples.fraud.functions.FraudFunctions.python("python-tls",
                        "small-then-large", python.target(), 1));
                try (RawStream stream = new RawStream(channel).open("python-tls", 0, FraudRules.TRANSACTION)) {
                    assertThat(stream.next().hasOpened()).isTrue();
                    stream.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
                    assertThat(stream.next().hasResults()).as("the shard's calls to the process went over mutual TLS").isTrue();
                }
            } finally {
                channel.shutdownNow();
            }
            ManagedChannel plaintext = TransportSecurity.plaintext().channel(python.target());
            try {
                assertThat(io.grpc.health.v1.HealthGrpc.newBlockingStub(plaintext).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()))
                        .as("a plaintext caller gets nothing from the process").isNull();
            } catch (StatusRuntimeException refused) {
                assertThat(refused.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
            } finally {
                plaintext.shutdownNow();
            }
        }
    }

    @Test
    void aFlinkJobReachesATlsHostWithItsCertificate() throws Exception {
        try (FunctionHost host = tlsHost(Duration.ofSeconds(60))) {
            ManagedChannel channel = client(authority.caFile, clientCertificate).channel(host.endpoint());
            new ControlPlaneClient(channel, Duration.ofSeconds(30)).deploy(FraudRules.spec("tls-all", ALL, 2));
            channel.shutdownNow();
            List<Transaction> transactions = new ArrayList<>();
            new TransactionGenerator(5, 500, 0.0, expected -> { }).forEachRemaining(transactions::add);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            var alerts = VigilFunction.<Transaction, Alert>builder()
                    .setEndpoint(host.endpoint())
                    .setOperator("tls-all")
                    .setInputType(Transaction.class)
                    .setOutputType(Alert.class)
                    .setKeyField("cardId")
                    .setTls(authority.caFile.toString(), clientCertificate.certificate().toString(), clientCertificate.key().toString())
                    .build()
                    .applyTo(env.fromData(transactions).assignTimestampsAndWatermarks(
                            WatermarkStrategy.<Transaction>forMonotonousTimestamps().withTimestampAssigner((t, previous) -> t.getTs())));
            List<Alert> answered = new ArrayList<>();
            alerts.executeAndCollect().forEachRemaining(answered::add);
            assertThat(answered).as("every transaction, answered over TLS").hasSize(500);
        }
    }

    @Test
    void aRenewedHostCertificateServesNewConnectionsWhileAnOpenStreamGoesOn() throws Exception {
        try (FunctionHost host = tlsHost(Duration.ofMillis(200))) {
            TransportSecurity job = client(authority.caFile, clientCertificate);
            ManagedChannel control = job.channel(host.endpoint());
            new ControlPlaneClient(control, Duration.ofSeconds(30)).deploy(FraudRules.spec("renewed", ALL, 1));
            control.shutdownNow();
            ManagedChannel streaming = job.channel(host.endpoint());
            try (RawStream stream = new RawStream(streaming).open("renewed", 0, DataPlaneErrorsTest.TXN)) {
                assertThat(stream.next().hasOpened()).isTrue();

                LocalCertificates renewing = LocalCertificates.authority("vigil-test-2", files);
                LocalCertificates.Issued renewed = renewing.issue("host-2", files);
                Files.copy(renewed.certificate(), hostCertificate.certificate(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.copy(renewed.key(), hostCertificate.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                TestHosts.await(() -> "the host serves its renewed certificate", Duration.ofSeconds(10),
                        () -> listing(client(renewing.caFile, clientCertificate).channel(host.endpoint())) == Status.Code.OK);
                assertThat(listing(job.channel(host.endpoint()))).as("a client trusting only the old authority").isEqualTo(
                        Status.Code.UNAVAILABLE);

                stream.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
                assertThat(stream.next().hasResults()).as("the stream opened before the renewal goes on").isTrue();
            } finally {
                streaming.shutdownNow();
            }
        }
    }

    @Test
    void aHostBeyondLoopbackNeedsTlsOrToBeToldPlaintextOutright() throws Exception {
        assertThatThrownBy(() -> FunctionHost.builder().bindAddress("0.0.0.0").port(0).pluginsDirectory(TestHosts.plugins()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a host listening on 0.0.0.0 (beyond loopback) needs TLS")
                .hasMessageContaining("--plaintext");
        try (FunctionHost told = FunctionHost.builder().bindAddress("0.0.0.0").port(0).plaintext().pluginsDirectory(TestHosts.plugins())
                .build().start()) {
            assertThat(listing(TransportSecurity.plaintext().channel(told.endpoint()))).isEqualTo(Status.Code.OK);
        }
        try (FunctionHost local = FunctionHost.builder().port(0).pluginsDirectory(TestHosts.plugins()).build().start()) {
            assertThat(local.endpoint()).as("plaintext by default, on loopback").startsWith("127.0.0.1:");
        }
        assertThatThrownBy(() -> TransportSecurity.fromEnvironment(name -> name.equals("VIGIL_TLS_CA") ? authority.caFile.toString() : null))
                .hasMessageContaining("all three of VIGIL_TLS_CA, VIGIL_TLS_CERT and VIGIL_TLS_KEY");
        assertThat(TransportSecurity.fromEnvironment(name -> null).isTls()).isFalse();
    }
}
