package io.vigil.tests;

import io.vigil.examples.fraud.tls.LocalCertificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.api.client.ControlPlaneClient;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.HostFrame;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.proto.Placement;
import io.vigil.api.proto.RescaleRequest;
import io.vigil.api.proto.ShardPlacement;
import io.vigil.api.proto.StreamError;
import io.vigil.api.security.TransportSecurity;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import com.google.protobuf.util.JsonFormat;
import io.vigil.api.proto.ConsoleError;
import io.vigil.api.proto.ConsoleOperatorSummary;
import io.vigil.api.proto.ConsoleOperators;
import io.vigil.api.proto.ConsoleUpdate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import io.vigil.runtime.security.BearerTokens;
import io.vigil.runtime.security.HostTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host shared by tenants, with real TLS certificates and real signed tokens made in the test:
 * each caller sees and touches only what the policy grants it, every refusal names the missing
 * right, quotas refuse with the quota, a tenant past its events per second is slowed while
 * another's stream runs at full speed, and every change and refusal is in the audit log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlTest {
    static final String ALL = OperatorFeedsTest.ALL;
    static final String POLICY = """
            tenants:
              acme:
                quota: {operators: 2, shards: 3, streams: 3}
              beta:
                quota: {eventsPerSecond: 5000}
            grants:
              - to: [alice]
                tenant: acme
                rights: [read, stream, deploy]
              - to: ["group:acme-readers"]
                tenant: acme
                rights: [read]
              - to: ["group:acme-streamers"]
                tenant: acme
                rights: [read, stream]
                operators: ["fraud-*"]
              - to: [carol]
                tenant: beta
                rights: [read, stream, deploy]
            """;

    @TempDir
    static Path files;

    LocalCertificates authority;
    RSAKey signingKey;
    FunctionHost host;
    Path audit;

    @BeforeAll
    void start() throws Exception {
        authority = LocalCertificates.authority("vigil-test", files);
        LocalCertificates.Issued hostCertificate = authority.issue("host", files);
        signingKey = new RSAKeyGenerator(2048).keyID("test-key").generate();
        Path keys = Files.writeString(files.resolve("keys.json"), new JWKSet(signingKey.toPublicJWK()).toString());
        Path policy = Files.writeString(files.resolve("policy.yaml"), POLICY);
        audit = files.resolve("audit/audit.log");
        host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .tls(new HostTls(hostCertificate.certificate(), hostCertificate.key(), authority.caFile))
                .bearerTokens(new BearerTokens(keys, "https://issuer.test", "vigil"))
                .policy(policy).auditLog(audit).consolePort(0)
                .build().start();
        control(certificate("alice", null)).deploy(FraudRules.spec("acme/fraud-rules", ALL, 2));
        control(certificate("carol", null)).deploy(FraudRules.spec("beta/rules", ALL, 1));
    }

    @AfterAll
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (host != null) {
            host.close();
        }
    }

    private TransportSecurity certificate(String name, String group) throws Exception {
        LocalCertificates.Issued issued = authority.issue(name, group, files);
        return TransportSecurity.tls(authority.caFile, issued.certificate(), issued.key());
    }

    private TransportSecurity token(String subject, List<String> groups, RSAKey key, Instant expires) throws Exception {
        Path file = Files.writeString(Files.createTempFile(files, subject, ".jwt"), jwt(subject, groups, key, expires));
        return TransportSecurity.tls(authority.caFile).withBearerToken(file);
    }

    private static String jwt(String subject, List<String> groups, RSAKey key, Instant expires) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).issuer("https://issuer.test").audience("vigil")
                .claim("groups", groups).expirationTime(Date.from(expires)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private final List<ManagedChannel> channels = new ArrayList<>();

    private ManagedChannel channel(TransportSecurity security) {
        ManagedChannel channel = security.channel(host.endpoint());
        channels.add(channel);
        return channel;
    }

    private ControlPlaneClient control(TransportSecurity security) {
        return new ControlPlaneClient(channel(security), Duration.ofSeconds(30));
    }

    private interface Call {
        void run() throws Exception;
    }

    /** The status a call was refused with. */
    private static Status refused(Call call) throws Exception {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        } catch (OperatorRejectedException e) {
            return Status.fromCode(e.code()).withDescription(e.getMessage());
        }
        throw new AssertionError("the call was not refused");
    }

    @Test
    void eachCallerSeesAndTouchesOnlyWhatThePolicyGrantsIt() throws Exception {
        ControlPlaneClient bob = control(certificate("bob", "acme-readers"));
        assertThat(bob.describe("acme/fraud-rules").getSpec().getSource()).isEqualTo(ALL);
        assertThat(bob.list()).extracting(status -> status.getSpec().getName()).containsExactly("acme/fraud-rules");
        Status update = refused(() -> bob.update(FraudRules.spec("acme/fraud-rules", "select * from Txn", 2)));
        assertThat(update.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(update.getDescription())
                .contains("'bob' (by client certificate) lacks the right 'deploy' on operator 'acme/fraud-rules' of tenant 'acme'")
                .contains("it holds: read on tenant 'acme'");
        assertThat(refused(() -> bob.undeploy("acme/fraud-rules")).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);

        ControlPlaneClient carol = control(certificate("carol", null));
        assertThat(carol.list()).extracting(status -> status.getSpec().getName()).containsExactly("beta/rules");
        assertThat(refused(() -> carol.describe("acme/fraud-rules")).getDescription())
                .contains("lacks the right 'read' on operator 'acme/fraud-rules'");
        assertThat(refused(() -> carol.deploy(FraudRules.spec("acme/stolen", ALL, 1))).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(refused(() -> carol.deploy(FraudRules.spec("unowned", ALL, 1))).getDescription())
                .as("an operator without a tenant belongs to tenant 'default'").contains("of tenant 'default'");

        ControlPlaneClient stranger = control(certificate("mallory", null));
        assertThat(stranger.list()).as("a caller the authority signed but the policy does not name sees nothing").isEmpty();
        assertThat(refused(() -> stranger.describe("beta/rules")).getDescription())
                .contains("'mallory'").contains("(the policy grants it nothing)");

        assertThat(bob.describe("acme/fraud-rules").getVersion()).as("nothing changed").isEqualTo(1);
    }

    @Test
    void theConsoleShowsWhatTheCallerMayReadAndChangesOnlyWithTheDeployRight() throws Exception {
        String console = host.consoleUrl();
        assertThat(console).as("a TLS host serves its console over HTTPS").startsWith("https://");
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(authority.caFile)).build();
        String reader = jwt("dave", List.of("acme-readers"), signingKey, Instant.now().plusSeconds(600));
        String carol = jwt("carol", List.of(), signingKey, Instant.now().plusSeconds(600));

        HttpResponse<String> anonymous = https.send(HttpRequest.newBuilder(URI.create(console + "api/operators")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("UNAUTHENTICATED").contains("no identity");
        assertThat(https.send(HttpRequest.newBuilder(URI.create(console)).build(), HttpResponse.BodyHandlers.ofString()).body())
                .as("the page itself holds nothing").contains("<title>Vigil console</title>");

        HttpResponse<String> list = https.send(get(console + "api/operators", reader), HttpResponse.BodyHandlers.ofString());
        ConsoleOperators.Builder parsed = ConsoleOperators.newBuilder();
        JsonFormat.parser().merge(list.body(), parsed);
        ConsoleOperators seen = parsed.build();
        assertThat(seen.getCaller()).isEqualTo("dave");
        assertThat(seen.getOperatorsList()).extracting(ConsoleOperatorSummary::getName).containsExactly("acme/fraud-rules");
        assertThat(seen.getOperators(0).getMayDeploy()).isFalse();
        assertThat(https.send(get(console + "api/operator?name=beta%2Frules", reader), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("another tenant's operator").isEqualTo(403);

        HttpResponse<String> refusedUpdate = https.send(update(console, reader, "acme/fraud-rules", "select * from Txn", true),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refusedUpdate.statusCode()).isEqualTo(403);
        ConsoleError.Builder refusal = ConsoleError.newBuilder();
        JsonFormat.parser().merge(refusedUpdate.body(), refusal);
        assertThat(refusal.getCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(refusal.getMessage()).contains("'dave' (by bearer token) lacks the right 'deploy' on operator 'acme/fraud-rules'");

        control(certificate("carol", null)).deploy(FraudRules.spec("beta/console", ALL, 1));
        try {
            assertThat(https.send(update(console, carol, "beta/console", OperatorFeedsTest.ALL.replace("'ALL'", "'EVERY'"), false),
                    HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("a change needs the console's own header, whoever asks").isEqualTo(403);
            HttpResponse<String> updated = https.send(update(console, carol, "beta/console",
                    OperatorFeedsTest.ALL.replace("'ALL'", "'EVERY'"), true), HttpResponse.BodyHandlers.ofString());
            assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
            assertThat(control(certificate("carol", null)).describe("beta/console").getVersion()).isEqualTo(2);
            assertThat(Files.readAllLines(audit)).as("the console's update is audited as the control plane's")
                    .anySatisfy(line -> assertThat(line).contains("\"caller\":\"carol\"")
                            .contains("\"action\":\"update\",\"operator\":\"beta/console\",\"outcome\":\"OK\""))
                    .anySatisfy(line -> assertThat(line).contains("\"caller\":\"dave\"")
                            .contains("\"action\":\"update\",\"operator\":\"acme/fraud-rules\",\"outcome\":\"PERMISSION_DENIED\""));
        } finally {
            control(certificate("carol", null)).undeploy("beta/console");
        }

        try (ConsoleBrowser browser = ConsoleBrowser.openTrustingAnyCertificate()) {
            browser.driver.get(console);
            WebElement token = browser.await("the page asks for a token", Duration.ofSeconds(20), d -> {
                WebElement field = d.findElement(By.id("token"));
                return field.isDisplayed() ? field : null;
            });
            token.sendKeys(reader);
            browser.driver.findElement(By.cssSelector("#token-form button")).click();
            browser.await("the reader's operator listed", Duration.ofSeconds(20),
                    d -> d.findElement(By.cssSelector("#operators tbody tr[data-name='acme/fraud-rules']"))).click();
            browser.await("read-only for a reader", Duration.ofSeconds(20), d -> d.findElement(By.id("read-only")).isDisplayed());
            assertThat(browser.driver.findElement(By.id("editor")).isDisplayed()).as("no editor without the deploy right").isFalse();
            assertThat(browser.driver.findElement(By.id("caller")).getText()).isEqualTo("as dave (by bearer token)");
            assertThat(browser.driver.findElements(By.cssSelector("#operators tbody tr"))).hasSize(1);
        }
    }

    private static HttpRequest get(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build();
    }

    private static HttpRequest update(String console, String token, String operator, String source, boolean fromTheConsole)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(console + "api/operator/update"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonFormat.printer().print(
                        ConsoleUpdate.newBuilder().setName(operator).setSource(source))));
        if (fromTheConsole) {
            request.header("X-Vigil-Console", "1");
        }
        return request.build();
    }

    /** Trusts the certificates the authority in {@code caFile} signed, and no others. */
    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (var in = Files.newInputStream(caFile)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void tokensIdentifyCallersAndBadTokensAndNoIdentityAreUnauthenticated() throws Exception {
        ControlPlaneClient job = control(token("flink-job", List.of("acme-streamers"), signingKey, Instant.now().plusSeconds(600)));
        assertThat(job.describe("acme/fraud-rules").getVersion()).isEqualTo(1);
        assertThat(refused(() -> job.undeploy("acme/fraud-rules")).getDescription())
                .contains("'flink-job' (by bearer token) lacks the right 'deploy'");
        try (RawStream stream = new RawStream(channel(token("flink-job", List.of("acme-streamers"), signingKey,
                Instant.now().plusSeconds(600)))).open("acme/fraud-rules", 1, DataPlaneErrorsTest.TXN)) {
            assertThat(stream.next().hasOpened()).as("the token's group may stream into acme's fraud-* operators").isTrue();
            stream.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
            assertThat(stream.next().hasResults()).isTrue();
        }

        RSAKey otherKey = new RSAKeyGenerator(2048).keyID("test-key").generate();
        Status forged = refused(() -> control(token("alice", List.of(), otherKey, Instant.now().plusSeconds(600))).list());
        assertThat(forged.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(forged.getDescription()).contains("bearer token refused").contains("signature");

        Status expired = refused(() -> control(token("alice", List.of(), signingKey, Instant.now().minusSeconds(600))).list());
        assertThat(expired.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(expired.getDescription()).contains("Expired JWT");

        Status nobody = refused(() -> control(TransportSecurity.tls(authority.caFile)).list());
        assertThat(nobody.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(nobody.getDescription()).contains("no identity: present a client certificate or a bearer token");
    }

    @Test
    void aStreamNeedsTheRightToStreamIntoThatOperator() throws Exception {
        try (RawStream bobs = new RawStream(channel(certificate("bob", "acme-readers"))).open("acme/fraud-rules", 0,
                DataPlaneErrorsTest.TXN)) {
            Status status = bobs.awaitClosed();
            assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).contains("lacks the right 'stream' on operator 'acme/fraud-rules'");
        }
        try (RawStream carols = new RawStream(channel(certificate("carol", null))).open("acme/fraud-rules", 1,
                DataPlaneErrorsTest.TXN)) {
            assertThat(carols.awaitClosed().getCode()).as("another tenant's operator").isEqualTo(Status.Code.PERMISSION_DENIED);
        }
        assertThat(control(certificate("alice", null)).describe("acme/fraud-rules").getShardsList())
                .allSatisfy(shard -> assertThat(shard.getEventsProcessed()).isZero());
    }

    @Test
    void anIdleStreamCannotHoldAJobsCheckpoints() throws Exception {
        TransportSecurity job = token("flink-job", List.of("acme-streamers"), signingKey, Instant.now().plusSeconds(600));
        ManagedChannel alices = channel(certificate("alice", null));
        try (RawStream feeding = new RawStream(channel(job)).open("acme/fraud-rules", 1, DataPlaneErrorsTest.TXN, "job-a",
                "job-a/attempt-0")) {
            assertThat(feeding.next().hasOpened()).isTrue();
            feeding.send(DataPlaneErrorsTest.transactions(1, "c1"), 1);
            assertThat(feeding.next().hasResults()).isTrue();
            try (RawStream anonymousJob = new RawStream(alices).open("acme/fraud-rules", 1, DataPlaneErrorsTest.TXN);
                 RawStream sameJobName = new RawStream(alices).open("acme/fraud-rules", 1, DataPlaneErrorsTest.TXN, "job-a",
                         "job-a/attempt-0")) {
                StreamError other = anonymousJob.next().getError();
                assertThat(other.getCode()).isEqualTo(StreamError.Code.OPERATOR_BUSY);
                StreamError impostor = sameJobName.next().getError();
                assertThat(impostor.getCode()).isEqualTo(StreamError.Code.OPERATOR_BUSY);
                assertThat(impostor.getMessage()).contains("is fed by job job-a of another caller");
                feeding.barrier(1);
                HostFrame ack = feeding.next();
                assertThat(ack.getBarrierAck().getCheckpointId()).as("the job's checkpoint is taken at once: %s", ack).isEqualTo(1);
            }
        }
    }

    @Test
    void quotasRefuseWhatWouldPassThemAndNameTheQuota() throws Exception {
        ControlPlaneClient alice = control(certificate("alice", null));
        alice.deploy(FraudRules.spec("acme/second", ALL, 1));
        try {
            Status third = refused(() -> alice.deploy(FraudRules.spec("acme/third", ALL, 1)));
            assertThat(third.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(third.getDescription()).isEqualTo("tenant 'acme' would have 3 operators; its quota is 2");

            OperatorStatus second = alice.describe("acme/second");
            Placement wider = Placement.newBuilder().setEpoch(second.getPlacement().getEpoch() + 1)
                    .addShards(ShardPlacement.newBuilder().setShard(0).setFirstKeyGroup(0).setEndKeyGroup(64).setHost(""))
                    .addShards(ShardPlacement.newBuilder().setShard(1).setFirstKeyGroup(64).setEndKeyGroup(128).setHost(""))
                    .build();
            Status shards = refused(() -> alice.rescale(RescaleRequest.newBuilder().setSpec(second.getSpec())
                    .setVersion(second.getVersion()).setPlacement(wider).build()));
            assertThat(shards.getDescription()).isEqualTo("tenant 'acme' would have 4 shards; its quota is 3");

            ManagedChannel job = channel(certificate("alice", null));
            try (RawStream first = new RawStream(job).open("acme/fraud-rules", 0, DataPlaneErrorsTest.TXN);
                 RawStream secondStream = new RawStream(job).open("acme/fraud-rules", 1, DataPlaneErrorsTest.TXN);
                 RawStream thirdStream = new RawStream(job).open("acme/second", 0, DataPlaneErrorsTest.TXN)) {
                assertThat(first.next().hasOpened()).isTrue();
                assertThat(secondStream.next().hasOpened()).isTrue();
                assertThat(thirdStream.next().hasOpened()).isTrue();
                try (RawStream fourth = new RawStream(job).open("acme/second", 0, DataPlaneErrorsTest.TXN)) {
                    StreamError error = fourth.next().getError();
                    assertThat(error.getCode()).isEqualTo(StreamError.Code.OVER_QUOTA);
                    assertThat(error.getMessage()).contains("has 3 streams open, its quota");
                }
                first.close();
                assertThat(first.awaitCompleted()).isTrue();
                // The host counts a stream as gone when its client ends it, before it answers that end.
                try (RawStream again = new RawStream(job).open("acme/fraud-rules", 0, DataPlaneErrorsTest.TXN)) {
                    assertThat(again.next().hasOpened()).as("a stream opens once another of the tenant's has closed").isTrue();
                }
            }
        } finally {
            alice.undeploy("acme/second");
        }
    }

    @Test
    void aTenantPastItsStateBytesMayNotGrow() throws Exception {
        Path policy = Files.writeString(files.resolve("state-policy.yaml"), """
                tenants:
                  tiny:
                    quota: {stateBytes: 2000}
                grants:
                  - to: [alice]
                    tenant: tiny
                    rights: [read, stream, deploy]
                """);
        LocalCertificates.Issued hostCertificate = authority.issue("stateful-host", files);
        try (FunctionHost stateful = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins())
                .tls(new HostTls(hostCertificate.certificate(), hostCertificate.key(), authority.caFile))
                .stateDirectory(files.resolve("tiny-state")).policy(policy).build().start()) {
            ManagedChannel alice = certificate("alice", null).channel(stateful.endpoint());
            channels.add(alice);
            ControlPlaneClient control = new ControlPlaneClient(alice, Duration.ofSeconds(30));
            control.deploy(FraudRules.spec("tiny/windowed", "select 'W' as rule, cardId, txnId, amount, ts from Txn#time(60 sec)"
                    + " where amount > 1000000", 1));
            try (RawStream stream = new RawStream(alice).open("tiny/windowed", 0, DataPlaneErrorsTest.TXN, "job", "job/attempt-0")) {
                assertThat(stream.next().hasOpened()).isTrue();
                String[] cards = new String[200];
                java.util.Arrays.fill(cards, "c1");
                stream.send(DataPlaneErrorsTest.transactions(1, cards), 1);
                assertThat(stream.next().hasResults()).isTrue();
                stream.checkpoint(1);
            }
            long held = control.describe("tiny/windowed").getShards(0).getStateBytes();
            assertThat(held).as("the input log within the window, as checkpoint 1 holds it").isGreaterThan(2000);
            Status deploy = refused(() -> control.deploy(FraudRules.spec("tiny/another", ALL, 1)));
            assertThat(deploy.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(deploy.getDescription()).isEqualTo("tenant 'tiny' holds " + held + " bytes of state in its latest checkpoints;"
                    + " its quota is 2000 (undeploy an operator, or shorten what one keeps)");
            try (RawStream again = new RawStream(alice).open("tiny/windowed", 0, DataPlaneErrorsTest.TXN, "job", "job/attempt-1")) {
                StreamError error = again.next().getError();
                assertThat(error.getCode()).isEqualTo(StreamError.Code.OVER_QUOTA);
                assertThat(error.getMessage()).contains("holds " + held + " bytes of state");
            }
        }
    }

    @Test
    void aTenantPastItsEventsPerSecondIsSlowedWhileAnotherRunsAtFullSpeed() throws Exception {
        TransportSecurity carol = certificate("carol", null);
        TransportSecurity alice = certificate("alice", null);
        // beta may send 5,000 events a second (a second's worth at once); acme has no bound.
        java.util.concurrent.CountDownLatch betaStreaming = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<Long> beta = CompletableFuture.supplyAsync(() -> streamMillis(carol, "beta/rules", 0, 40, 500,
                betaStreaming));
        assertThat(betaStreaming.await(30, TimeUnit.SECONDS)).isTrue();
        long acmeMillis = streamMillis(alice, "acme/fraud-rules", 1, 40, 500, new java.util.concurrent.CountDownLatch(1));
        long betaMillis = beta.get(60, TimeUnit.SECONDS);
        assertThat(betaMillis).as("20,000 events at 5,000/s after a second's burst").isGreaterThanOrEqualTo(2_500);
        assertThat(acmeMillis).as("acme's 20,000 events while beta is held back (beta took %d ms)", betaMillis)
                .isLessThan(betaMillis);
        assertThat(control(carol).describe("beta/rules").getShards(0).getEventsProcessed())
                .as("slowed, never dropped").isGreaterThanOrEqualTo(20_000);
    }

    /**
     * Sends {@code batches} batches of {@code rows} rows, each after the answer to the one before,
     * counting {@code streaming} down once the stream has opened; the time it took.
     */
    private long streamMillis(TransportSecurity security, String operator, int shard, int batches, int rows,
            java.util.concurrent.CountDownLatch streaming) {
        long start = System.nanoTime();
        try (RawStream stream = new RawStream(channel(security)).open(operator, shard, DataPlaneErrorsTest.TXN)) {
            HostFrame opened = stream.next();
            assertThat(opened.hasOpened()).as("%s", opened).isTrue();
            streaming.countDown();
            String[] cards = new String[rows];
            java.util.Arrays.fill(cards, "c1");
            for (int b = 0; b < batches; b++) {
                stream.send(DataPlaneErrorsTest.transactions(1 + (long) b * rows, cards), b + 1);
                HostFrame answer = stream.next();
                assertThat(answer.hasResults()).as("%s", answer).isTrue();
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void everyChangeAndEveryRefusalIsInTheAuditLog() throws Exception {
        ControlPlaneClient carol = control(certificate("carol", null));
        carol.deploy(FraudRules.spec("beta/audited", ALL, 1));
        carol.undeploy("beta/audited");
        refused(() -> carol.undeploy("acme/fraud-rules"));
        refused(() -> carol.update(FraudRules.spec("beta/rules", "select nonsense from Txn", 1)));
        List<String> lines = Files.readAllLines(audit);
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"caller\":\"alice\",\"authenticatedBy\":\"client certificate\",\"action\":\"deploy\","
                        + "\"operator\":\"acme/fraud-rules\",\"outcome\":\"OK\""));
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"caller\":\"carol\"").contains("\"action\":\"undeploy\",\"operator\":\"beta/audited\",\"outcome\":\"OK\""));
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"caller\":\"carol\"").contains("\"action\":\"undeploy\",\"operator\":\"acme/fraud-rules\"")
                .contains("\"outcome\":\"PERMISSION_DENIED\"").contains("lacks the right 'deploy'"));
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"action\":\"update\",\"operator\":\"beta/rules\",\"outcome\":\"INVALID_ARGUMENT\""));
        assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("{\"time\":\"20"));
    }

    @Test
    void aPolicyThatDoesNotParseStopsTheHostNamingTheEntry() throws Exception {
        Path bad = Files.writeString(files.resolve("bad.yaml"), "grants:\n  - to: [alice]\n    tenant: acme\n    rights: [write]\n");
        assertThatThrownBy(() -> FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).policy(bad).build())
                .hasMessageContaining("bad.yaml: grants[0].rights: unknown right 'write' (read, stream, deploy)");
    }
}
