package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.examples.fraud.Alert;
import io.vigil.examples.fraud.CollectingSink;
import io.vigil.examples.fraud.FraudDetectionJob;
import io.vigil.examples.fraud.FraudRules;
import io.vigil.examples.fraud.Transaction;
import io.vigil.flink.VigilFunction;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A job whose Vigil function cannot be used fails with a message that says why. */
class ConnectorFailuresTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = TestHosts.flink();

    @RegisterExtension
    static final FraudRulesHost HOST = new FraudRulesHost(1);

    @Test
    void aHostThatIsDownFailsTheTaskNamingTheEndpoint() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        String endpoint = "127.0.0.1:" + freePort;
        assertThat(rootMessage(() -> run(FraudDetectionJob.Settings.defaults(endpoint, 100))))
                .contains("the Vigil function host at " + endpoint + " is unreachable");
    }

    @Test
    void anOperatorThatIsNotDeployedFailsTheTaskNamingIt() {
        String endpoint = HOST.endpoint();
        FraudDetectionJob.Settings settings = new FraudDetectionJob.Settings(endpoint, "no-such-rules", 100, 1, 0.01, 64,
                Duration.ofMillis(1), 0);
        assertThat(rootMessage(() -> run(settings)))
                .contains("operator 'no-such-rules' is not deployed on the Vigil function host at " + endpoint);
    }

    @Test
    void aJobKeyedByAnotherFieldThanTheOperatorIsRefused() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        VigilFunction.<Transaction, Alert>builder()
                .setEndpoint(HOST.endpoint())
                .setOperator(FraudRules.OPERATOR)
                .setInputType(Transaction.class)
                .setOutputType(Alert.class)
                .setKeyField("merchantId")
                .build()
                .applyTo(env.fromData(new Transaction("t1", "c1", "m1", 10, 1, 1, 1000)))
                .sinkTo(new CollectingSink<>());
        assertThat(rootMessage(() -> env.execute("wrong key")))
                .contains("operator 'fraud-rules' is keyed by 'cardId' but the job keys it by 'merchantId'");
    }

    @Test
    void anOutputTypeThatLacksAFieldIsRefused() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        VigilFunction.<Transaction, Transaction>builder()
                .setEndpoint(HOST.endpoint())
                .setOperator(FraudRules.OPERATOR)
                .setInputType(Transaction.class)
                .setOutputType(Transaction.class)
                .setKeyField("cardId")
                .build()
                .applyTo(env.fromData(new Transaction("t1", "c1", "m1", 10, 1, 1, 1000)))
                .sinkTo(new CollectingSink<>());
        assertThat(rootMessage(() -> env.execute("wrong output")))
                .contains("has no setter for field 'rule' (STRING) of the operator's output schema");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // an exception the sender swallowed would leave the job waiting for its round
    void anExceptionOnTheSenderThreadFailsTheTaskWithItsCause() {
        FraudDetectionJob.Settings settings = new FraudDetectionJob.Settings(HOST.endpoint(), FraudRules.OPERATOR, 5_000, 1, 0.01, 64,
                Duration.ofMillis(1), 0);
        System.setProperty("vigil.fault.sender-fails-at-round", "3");
        try {
            assertThat(rootMessage(() -> run(settings)))
                    .contains("the sender of operator '" + FraudRules.OPERATOR + "'")
                    .contains("injected sender fault at round 3");
        } finally {
            System.clearProperty("vigil.fault.sender-fails-at-round");
        }
    }

    static void run(FraudDetectionJob.Settings settings) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FraudDetectionJob.alerts(env, settings).sinkTo(new CollectingSink<>());
        env.execute("failing job");
    }

    interface Job {
        void run() throws Exception;
    }

    static String rootMessage(Job job) {
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(() -> job.run()).satisfies(t -> failure[0] = t);
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure[0]; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages + ExceptionUtils.stringifyException(failure[0]);
    }
}
