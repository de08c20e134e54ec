package io.vigil.tests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The launcher as kubectl's and Flink's command lines behave: one usage listing every command,
 * {@code --help} on any command answers at once without running it, and exit codes 0 ok, 1 failure,
 * 2 usage.
 */
class LauncherTest {
    @Test
    void helpListsEveryCommandAndExitsZeroWhileNoCommandIsAUsageError() throws Exception {
        Launcher.Run help = Launcher.run("--help");
        assertThat(help.exitCode()).isZero();
        for (String command : new String[] {"demo", "test", "host", "deploy", "update", "undeploy", "describe", "list", "bench",
                "bench-swap", "bench-languages", "bench-four-rules", "setup-python"}) {
            assertThat(help.output()).as(command).containsPattern("(?m)^  " + command + "\\b");
        }
        assertThat(help.output()).contains("$VIGIL_HOST").contains("0 ok, 1 failure").contains("2 usage");

        Launcher.Run none = Launcher.run();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.output()).startsWith("usage: ./vigil COMMAND");

        Launcher.Run unknown = Launcher.run("explode");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).startsWith("unknown command 'explode'");
    }

    @Test
    void helpAfterACommandThatRunsForMinutesAnswersAtOnceInstead() throws Exception {
        for (String command : new String[] {"test", "bench", "bench-swap", "bench-languages", "bench-four-rules", "setup-python"}) {
            Launcher.Run help = Launcher.run(command, "--help");
            assertThat(help.exitCode()).as(command).isZero();
            // Only the usage: nothing built, installed, benchmarked or tested.
            assertThat(help.output()).as(command).startsWith("usage: ./vigil " + command).doesNotContain("Building")
                    .doesNotContain("Installing").doesNotContain("Tests run");
        }
    }

    @Test
    void badValuesAreUsageErrorsNamingOptionAndValueWithoutAStackTrace() throws Exception {
        Launcher.Run host = Launcher.run("host", "--port", "abc");
        assertThat(host.exitCode()).isEqualTo(2);
        assertThat(host.output().strip()).isEqualTo("option --port needs a whole number from 0 to 65535, not 'abc'");

        Launcher.Run demo = Launcher.run("demo", "--events", "-5");
        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.output().strip()).isEqualTo("vigil demo: option --events needs a whole number of at least 1, not '-5'");

        Launcher.Run deploy = Launcher.run("deploy");
        assertThat(deploy.exitCode()).isEqualTo(2);
        assertThat(deploy.output()).contains("needs -f FILE").doesNotContain("Exception");
    }
}
