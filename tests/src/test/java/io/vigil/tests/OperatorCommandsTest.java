package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.examples.fraud.FraudRules;
import io.vigil.runtime.FunctionHost;
import io.vigil.runtime.cli.CepOperatorYaml;
import io.vigil.runtime.cli.OperatorCommands;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's operator commands against a real host, from CepOperator YAML files. */
class OperatorCommandsTest {
    static final Path SAMPLE = Path.of("../examples/fraud-detection/deploy/fraud-rules.yaml");

    @TempDir
    Path dir;

    FunctionHost host;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        host = FunctionHost.builder().loopback().pluginsDirectory(TestHosts.plugins()).build().start();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    int vigil(String... args) {
        String[] withHost = new String[args.length + 2];
        System.arraycopy(args, 0, withHost, 0, args.length);
        withHost[args.length] = "--host";
        withHost[args.length + 1] = host.endpoint();
        out.reset();
        err.reset();
        return run(withHost, null);
    }

    int run(String[] args, String hostVariable) {
        out.reset();
        err.reset();
        return OperatorCommands.run(args, variable -> variable.equals("VIGIL_HOST") ? hostVariable : null,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpOnEveryCommandWorksWithoutAHostAndUsageErrorsExitTwo() {
        for (String command : new String[] {"deploy", "update", "undeploy", "describe", "list"}) {
            assertThat(run(new String[] {command, "--help"}, "127.0.0.1:1")).as(command).isZero();
            assertThat(out.toString()).startsWith("usage: vigil " + command).contains("--host host:port");
        }
        assertThat(run(new String[] {"deploy"}, null)).isEqualTo(2);
        assertThat(err.toString()).contains("needs -f FILE");
        assertThat(run(new String[] {"describe", "--nope"}, null)).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option '--nope'").contains("usage: vigil describe NAME");
        assertThat(run(new String[] {"explode"}, null)).isEqualTo(2);
        assertThat(err.toString()).contains("unknown command 'explode'").contains("vigil deploy -f|--file FILE");
    }

    @Test
    void anUnreachableHostIsNamedWithTheWayToStartOne() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThat(run(new String[] {"list"}, "127.0.0.1:" + closedPort)).as("the host from $VIGIL_HOST").isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach a function host at 127.0.0.1:" + closedPort).contains("./vigil host");
        assertThat(run(new String[] {"list", "--host", host.endpoint()}, "127.0.0.1:" + closedPort)).as("--host wins").isZero();
        assertThat(run(new String[] {"list"}, host.endpoint())).as(err.toString()).isZero();
    }

    @Test
    void theSampleResourceIsTheFraudRulesSpec() throws Exception {
        assertThat(CepOperatorYaml.read(SAMPLE)).isEqualTo(FraudRules.spec(2));
    }

    @Test
    void deployUpdateDescribeListUndeploy() throws Exception {
        assertThat(vigil("deploy", "-f", SAMPLE.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("deployed operator 'fraud-rules' version 1");

        String tightened = Files.readString(SAMPLE).replace("sourceFile: ../src/main/resources/fraud/fraud-rules.epl",
                "source: |\n    " + FraudRules.epl().replace("amount >= 200.00", "amount >= 150.00").replace("\n", "\n    "));
        Path v2 = dir.resolve("v2.yaml");
        Files.writeString(v2, tightened);
        assertThat(vigil("update", "-f", v2.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("updated operator 'fraud-rules' version 2").contains("version 2 active after");

        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, tightened.replace("select 'VELOCITY'", "selec 'VELOCITY'"));
        assertThat(vigil("update", "-f", broken.toString())).isEqualTo(1);
        String brokenYaml = Files.readString(broken);
        int brokenLine = 1 + (int) brokenYaml.substring(0, brokenYaml.indexOf("selec 'VELOCITY'")).chars().filter(c -> c == '\n').count();
        assertThat(err.toString()).as("the line of the YAML file the source is written in")
                .contains("refused").containsPattern(java.util.regex.Pattern.quote(broken + ":" + brokenLine + ":") + "\\d+: ");

        Path brokenEpl = dir.resolve("broken.epl");
        String epl = FraudRules.epl().replace("select 'VELOCITY'", "selec 'VELOCITY'");
        Files.writeString(brokenEpl, epl);
        Path referring = dir.resolve("referring.yaml");
        Files.writeString(referring, Files.readString(SAMPLE).replace("sourceFile: ../src/main/resources/fraud/fraud-rules.epl",
                "sourceFile: broken.epl"));
        int eplLine = 1 + (int) epl.substring(0, epl.indexOf("selec 'VELOCITY'")).chars().filter(c -> c == '\n').count();
        assertThat(vigil("update", "-f", referring.toString())).isEqualTo(1);
        assertThat(err.toString()).as("the line of the .epl file the resource names")
                .containsPattern(java.util.regex.Pattern.quote(brokenEpl + ":" + eplLine + ":") + "\\d+: ");

        assertThat(vigil("describe", "fraud-rules")).isZero();
        assertThat(out.toString()).contains("fraud-rules: esper, version 2, key cardId, 2 shards");
        assertThat(vigil("list")).isZero();
        assertThat(out.toString()).contains("fraud-rules\tesper\tversion 2");
        assertThat(vigil("undeploy", "fraud-rules")).isZero();
        assertThat(vigil("describe", "fraud-rules")).isEqualTo(1);
    }

    @Test
    void aResourceWithAMissingFieldIsRefusedNamingIt() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(SAMPLE).replace("  keyField: cardId\n", ""));
        assertThat(vigil("deploy", "-f", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("spec.keyField is missing");
    }

    @Test
    void aMisspelledSpecFieldIsRefusedRatherThanIgnored() throws Exception {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, Files.readString(SAMPLE).replace("  shards: 2\n", "  shard: 2\n"));
        assertThat(vigil("deploy", "-f", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("spec.shard is not a field of a CepOperator").contains("shards");
    }
}
