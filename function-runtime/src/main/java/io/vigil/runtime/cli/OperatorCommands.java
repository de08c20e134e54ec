package io.vigil.runtime.cli;

import io.vigil.api.client.OperatorPool;
import io.vigil.api.security.TransportSecurity;
import io.vigil.api.placement.Placements;
import io.vigil.api.client.OperatorRejectedException;
import io.vigil.api.proto.Diagnostic;
import io.vigil.api.proto.OperatorStatus;
import io.vigil.api.codec.SwapReports;
import io.vigil.api.proto.ShardStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.grpc.Status;

/**
 * {@code vigil deploy|update -f FILE}, {@code vigil undeploy|describe NAME}, {@code vigil list},
 * against a function host: {@code --host host:port}, else the environment variable
 * {@value #HOST_VARIABLE}, else {@value #DEFAULT_HOST}. {@code --help} on any of them prints its
 * usage without contacting a host. Exit code 0 on success, 1 when the host refuses or cannot be
 * reached (with line and column for a source that does not compile), 2 on bad usage.
 */
public final class OperatorCommands {
    public static final String HOST_VARIABLE = "VIGIL_HOST";
    public static final String DEFAULT_HOST = "localhost:7070";
    private static final String HOST_OPTION = "[--host host:port[,host:port...]]";
    private static final Map<String, String> USAGE = Map.of(
            "deploy", "vigil deploy -f|--file FILE " + HOST_OPTION + "\n  deploys the operator a CepOperator resource describes; given several hosts, spreads its shards over them",
            "update", "vigil update -f|--file FILE " + HOST_OPTION + "\n  swaps in a new version of a deployed operator, carrying its state, on every host that serves it",
            "undeploy", "vigil undeploy NAME " + HOST_OPTION + "\n  stops an operator and drops its state",
            "describe", "vigil describe NAME " + HOST_OPTION + "\n  an operator's version, shards, feeds and last swap",
            "list", "vigil list " + HOST_OPTION + "\n  the operators a host runs",
            "rescale", "vigil rescale NAME --shards N [--pool host:port[,host:port...]] " + HOST_OPTION
                    + "\n  moves an operator to N shards over the pool (default: the hosts serving it), with its state;"
                    + " a job feeding it cuts over at its next checkpoint");

    private OperatorCommands() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System::getenv, System.out, System.err));
    }

    /** The usage of every command, for {@code vigil --help}. */
    public static String usage() {
        return String.join("\n", new java.util.TreeMap<>(USAGE).values()) + "\n--host defaults to $" + HOST_VARIABLE + ", else "
                + DEFAULT_HOST + ". Hosts that serve TLS: set $VIGIL_TLS_CA, $VIGIL_TLS_CERT and $VIGIL_TLS_KEY (PEM files: the"
                + " authority of the hosts' certificates, yours and its key). Exit codes: 0 ok, 1 refused or unreachable, 2 usage.";
    }

    /** @param environment the environment's variables: {@value #HOST_VARIABLE}, and the {@code VIGIL_TLS_*} files */
    public static int run(String[] args, java.util.function.UnaryOperator<String> environment, PrintStream out, PrintStream err) {
        String hostFromEnvironment = environment.apply(HOST_VARIABLE);
        String command = args.length > 0 ? args[0] : "help";
        if (!USAGE.containsKey(command)) {
            err.println("unknown command '" + command + "'; the operator commands are:\n" + usage());
            return 2;
        }
        String host = hostFromEnvironment == null || hostFromEnvironment.isBlank() ? DEFAULT_HOST : hostFromEnvironment;
        String file = null;
        String name = null;
        String shards = null;
        String rescalePool = "";
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println("usage: " + USAGE.get(command));
                    return 0;
                }
                case "--host" -> host = i + 1 < args.length ? args[++i] : null;
                case "-f", "--file" -> file = i + 1 < args.length ? args[++i] : null;
                case "--shards" -> shards = i + 1 < args.length ? args[++i] : "";
                case "--pool" -> rescalePool = i + 1 < args.length ? args[++i] : null;
                default -> {
                    if (args[i].startsWith("-")) {
                        err.println("unknown option '" + args[i] + "'\nusage: " + USAGE.get(command));
                        return 2;
                    }
                    name = args[i];
                }
            }
        }
        if (!command.equals("rescale") && (shards != null || !"".equals(rescalePool))) {
            err.println("--shards and --pool belong to rescale\nusage: " + USAGE.get(command));
            return 2;
        }
        if (host == null) {
            err.println("--host needs host:port");
            return 2;
        }
        List<String> pool = List.of(host.split(",", -1));
        if (pool.stream().anyMatch(String::isBlank)) {
            err.println("--host needs host:port, or a comma-separated pool of them, not '" + host + "'");
            return 2;
        }
        TransportSecurity security;
        try {
            security = TransportSecurity.fromEnvironment(environment);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        try (OperatorPool control = new OperatorPool(pool, security::channel, Duration.ofSeconds(60))) {
            switch (command) {
                case "deploy", "update" -> {
                    if (file == null) {
                        err.println("vigil " + command + " needs -f FILE (a CepOperator resource)");
                        return 2;
                    }
                    var spec = CepOperatorYaml.read(Path.of(file));
                    long start = System.nanoTime();
                    OperatorStatus status = command.equals("deploy") ? control.deploy(spec) : control.update(spec);
                    out.printf("%s operator '%s' version %d on %s in %d ms%n", command.equals("deploy") ? "deployed" : "updated",
                            spec.getName(), status.getVersion(), host, (System.nanoTime() - start) / 1_000_000);
                    status.getShardsList().forEach(shard -> printShard(out, shard, status));
                }
                case "undeploy" -> out.printf("undeployed '%s' after %d events%n", name, control.undeploy(required(name)).getEventsProcessed());
                case "describe" -> {
                    OperatorStatus status = control.describe(required(name));
                    out.printf("%s: %s, version %d, key %s, %d shards%n", status.getSpec().getName(), status.getSpec().getLanguage(),
                            status.getVersion(), status.getSpec().getKeyField(), status.getShardsCount());
                    status.getShardsList().forEach(shard -> printShard(out, shard, status));
                }
                case "rescale" -> {
                    int count;
                    try {
                        count = Integer.parseInt(shards == null ? "" : shards);
                    } catch (NumberFormatException e) {
                        err.println("vigil rescale needs --shards N, a whole number from 1 to 128, not '" + shards + "'");
                        return 2;
                    }
                    if (rescalePool == null) {
                        err.println("--pool needs host:port, or a comma-separated list of them");
                        return 2;
                    }
                    long start = System.nanoTime();
                    OperatorStatus status = control.rescale(required(name), count,
                            rescalePool.isEmpty() ? List.of() : List.of(rescalePool.split(",")));
                    out.printf("rescaled operator '%s' to %d shards, placement epoch %d, in %d ms%n", name, status.getShardsCount(),
                            status.getPlacement().getEpoch(), (System.nanoTime() - start) / 1_000_000);
                    status.getShardsList().forEach(shard -> printShard(out, shard, status));
                }
                case "list" -> control.list().forEach(status -> out.printf("%s\t%s\tversion %d\t%d shards%n",
                        status.getSpec().getName(), status.getSpec().getLanguage(), status.getVersion(), status.getShardsCount()));
                default -> throw new IllegalStateException("no command " + command);
            }
            return 0;
        } catch (OperatorRejectedException e) {
            if (e.code() == Status.Code.UNAVAILABLE || e.code() == Status.Code.DEADLINE_EXCEEDED) {
                err.println("cannot reach a function host at " + host + " (" + e.getMessage() + "); start one with './vigil host',"
                        + " or point --host (or $" + HOST_VARIABLE + ") at one");
                return 1;
            }
            err.println("refused: " + e.getMessage());
            CepOperatorYaml.SourceOrigin origin = null;
            try {
                origin = file == null ? null : CepOperatorYaml.origin(Path.of(file));
            } catch (IOException | RuntimeException unreadable) {
                // The spec was read to deploy it; if it cannot be read again, positions stay the source's own.
            }
            for (Diagnostic diagnostic : e.diagnostics()) {
                String at = origin != null ? origin.at(diagnostic.getLine(), diagnostic.getColumn())
                        : "source:" + diagnostic.getLine() + ":" + diagnostic.getColumn();
                err.printf("  %s: %s%n", at, diagnostic.getMessage());
            }
            return 1;
        } catch (IllegalArgumentException e) {
            err.println((file == null ? "" : file + ": ") + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + e.getMessage());
            return 2;
        }
    }

    private static String required(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name the operator (see --help)");
        }
        return name;
    }

    private static void printShard(PrintStream out, ShardStatus shard, OperatorStatus operator) {
        String host = Placements.servingHosts(operator.getPlacement()).size() > 1
                ? Placements.hostOf(operator.getPlacement(), shard.getShard()) : Placements.THIS_HOST;
        out.printf(java.util.Locale.ROOT, "  shard %d%s: version %d, %d events, %d results, %d streams, busy %.0f%%, state %,d bytes%s%s%n",
                shard.getShard(), host.isEmpty() ? "" : " on " + host, shard.getVersion(),
                shard.getEventsProcessed(), shard.getResultsEmitted(), shard.getOpenStreams(), shard.getBusy() * 100,
                shard.getStateBytes(),
                shard.getFeed().isEmpty() ? "" : ", state of " + shard.getFeed()
                        + (shard.getIdleMillis() > 0 ? " (idle " + shard.getIdleMillis() / 1000 + " s)" : ""),
                shard.hasLastSwap() ? "; " + SwapReports.describe(shard.getLastSwap()) : "");
    }
}
