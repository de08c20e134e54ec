package io.vigil.runtime;

import io.vigil.runtime.cli.OptionValues;
import io.vigil.runtime.security.BearerTokens;
import io.vigil.runtime.security.HostTls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** {@code vigil host}: runs a function host until it is stopped (SIGTERM or Ctrl-C drains it). */
public final class Main {
    /** What the host prints, followed by its port, once it listens. */
    public static final String LISTENING = "vigil function host listening on port ";
    public static final String CONSOLE = "vigil console at ";
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        FunctionHost.Settings settings = FunctionHost.builder();
        try {
            if (!parse(args, settings)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        FunctionHost host;
        try {
            host = settings.build().start();
        } catch (IllegalArgumentException e) {
            System.err.println("vigil host: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("vigil host: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            System.out.println("vigil function host stopped");
        }, "vigil-host-shutdown"));
        System.out.println(LISTENING + host.port());
        if (host.consoleUrl() != null) {
            System.out.println(CONSOLE + host.consoleUrl());
        }
        host.awaitTermination();
    }

    /**
     * Reads the options into {@code settings}; false when only the usage was asked for.
     *
     * @throws IllegalArgumentException naming the option and value that are wrong
     */
    private static final String USAGE = """
            usage: vigil host [--port 7070] [--bind ADDRESS] [--tls-cert FILE --tls-key FILE --tls-client-ca FILE | --plaintext] [--state-dir DIR] [--discard-damaged-checkpoints] [--plugins DIR] [--credits 8] [--ring-size 4096] [--grace-seconds 10] [--compile-budget-seconds 60] [--health-port N] [--policy FILE] [--audit-log FILE] [--epl-allow-classes LIST] [--epl-allow-inlined-classes] [--epl-max-statements 256] [--max-streams-per-client 256] [--max-message-mib 64] [--metrics-port N] [--console-port N] [--log-json] [--grpc-allow-targets LIST] [--grpc-tls-ca FILE --grpc-tls-cert FILE --grpc-tls-key FILE] [--java-trusted-signers FILE] [--java-allow-unsigned] [--token-keys FILE [--token-issuer ISS] [--token-audience AUD]]
              --port           the gRPC port, data and control plane (0: any free port, printed once listening)
              --bind           the address to listen on (default: 127.0.0.1 in plaintext, 0.0.0.0 with TLS)
              --tls-cert       the host's certificate chain (PEM); with --tls-key and --tls-client-ca the host serves
                               TLS and requires every client to present a certificate; the files are read again every minute
              --tls-key        the certificate's private key (PEM, PKCS#8)
              --tls-client-ca  the authority (PEM) that signs the clients' certificates, and the other hosts' of a pool
              --plaintext      serve without TLS even on an address beyond loopback (anyone who can reach it may call it)
              --state-dir      where operators and their checkpoints are kept; a host restarted on it redeploys them
                               (none: no checkpoints, operators are lost with the host)
              --discard-damaged-checkpoints
                               start on a damaged store, keeping every checkpoint still intact and setting the damage
                               aside; without it a damaged store stops the host, naming the damage
              --plugins        the folder of language plugins, one folder per language
              --credits        batches a stream may send per shard before the shard answers
              --ring-size      slots in each shard's ring, a power of two
              --grace-seconds  how long a stopping host lets open streams finish
              --compile-budget-seconds
                               how long one operator's compile may take; past it the deploy or update is refused and nothing changes
              --health-port    also serve the standard gRPC health service alone, in plaintext, on this port (for probes
                               that cannot speak TLS)
              --policy         who may read, stream into and deploy which tenants' operators, and each tenant's quota (YAML,
                               see docs/security.md); without it every caller the host authenticated may do everything
              --audit-log      append the audit log (a JSON line per change and per refused call) to this file; default: the
                               io.vigil.audit logger
              --token-keys     take bearer tokens (signed JWTs) checked against this JWK Set as callers' identities; with TLS,
                               a client may then show a token instead of a certificate
              --token-issuer   the iss every token must carry
              --token-audience the aud every token must include
              --epl-allow-classes
                               more classes EPL may name, comma-separated (package.* for a package's); by default only
                               the JDK's math and string helpers (java.lang.Math, String, the boxed numbers, java.math.*)
              --epl-allow-inlined-classes
                               let EPL compile Java on the host (create inlined_class); refused by default
              --epl-max-statements
                               the most statements an EPL module may have (compile time grows with them)
              --max-streams-per-client
                               data-plane streams one caller (as the host knows it) may have open at once
              --max-message-mib
                               the largest message the host reads (a batch, a spec with its artifact)
              --grpc-allow-targets
                               the addresses a grpc operator's source may name, comma-separated, * for any run of characters
                               (*.operators.svc:50071); by default this machine's (127.0.0.1:*, localhost:*, [::1]:*)
              --grpc-tls-ca, --grpc-tls-cert, --grpc-tls-key
                               reach grpc operator processes over mutual TLS: the authority that signed their certificates,
                               and the certificate and key (PEM) the host presents to them
              --log-json       write lifecycle events (deploy, update, undeploy, swap, restore, checkpoint failure, stream
                               opened, failed, refused) as one JSON object per line on the io.vigil.lifecycle logger
              --metrics-port   serve the host's metrics for Prometheus at /metrics on this port (plaintext, on the --bind address)
              --console-port   serve the web console on this port (0: any free one; its address is printed once listening):
                               HTTPS with the host's certificate when it serves TLS; callers known as on the gRPC port
              --java-trusted-signers
                               certificates (PEM) whose keys may sign Java operator jars; only signed jars run, except on a
                               plaintext loopback host
              --java-allow-unsigned
                               run unsigned Java operator jars too (the default only on a plaintext loopback host)""";

    private static boolean parse(String[] args, FunctionHost.Settings settings) {
        Path[] tlsFiles = new Path[3];
        String[] token = new String[3];
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--port" -> settings.port((int) OptionValues.wholeNumber(option, value(args, ++i, option), 0, 65_535));
                case "--bind" -> settings.bindAddress(value(args, ++i, option));
                case "--tls-cert" -> tlsFiles[0] = Path.of(value(args, ++i, option));
                case "--tls-key" -> tlsFiles[1] = Path.of(value(args, ++i, option));
                case "--tls-client-ca" -> tlsFiles[2] = Path.of(value(args, ++i, option));
                case "--plaintext" -> settings.plaintext();
                case "--epl-allow-classes" -> settings.languageSetting("esper", "allowClasses", value(args, ++i, option));
                case "--log-json" -> io.vigil.runtime.logging.LifecycleLog.jsonLines(true);
                case "--metrics-port" -> settings.metricsPort((int) OptionValues.wholeNumber(option, value(args, ++i, option), 0, 65_535));
                case "--console-port" -> settings.consolePort((int) OptionValues.wholeNumber(option, value(args, ++i, option), 0, 65_535));
                case "--grpc-allow-targets" -> settings.languageSetting("grpc", "allowedTargets", value(args, ++i, option));
                case "--grpc-tls-ca" -> settings.languageSetting("grpc", "tlsCa", value(args, ++i, option));
                case "--grpc-tls-cert" -> settings.languageSetting("grpc", "tlsCert", value(args, ++i, option));
                case "--grpc-tls-key" -> settings.languageSetting("grpc", "tlsKey", value(args, ++i, option));
                case "--epl-max-statements" -> settings.languageSetting("esper", "maxStatements",
                        String.valueOf(OptionValues.wholeNumber(option, value(args, ++i, option), 1, 100_000)));
                case "--max-streams-per-client" -> settings.maxStreamsPerClient(
                        (int) OptionValues.wholeNumber(option, value(args, ++i, option), 1, 1 << 20));
                case "--max-message-mib" -> settings.maxMessageBytes(
                        (int) OptionValues.wholeNumber(option, value(args, ++i, option), 1, 1024) << 20);
                case "--epl-allow-inlined-classes" -> settings.languageSetting("esper", "allowInlinedClasses", "true");
                case "--java-trusted-signers" -> settings.languageSetting("java", "trustedSigners", value(args, ++i, option));
                case "--java-allow-unsigned" -> settings.languageSetting("java", "allowUnsigned", "true");
                case "--policy" -> settings.policy(Path.of(value(args, ++i, option)));
                case "--audit-log" -> settings.auditLog(Path.of(value(args, ++i, option)));
                case "--token-keys" -> token[0] = value(args, ++i, option);
                case "--token-issuer" -> token[1] = value(args, ++i, option);
                case "--token-audience" -> token[2] = value(args, ++i, option);
                case "--plugins" -> settings.pluginsDirectory(Path.of(value(args, ++i, option)));
                case "--credits" -> settings.credits((int) OptionValues.wholeNumber(option, value(args, ++i, option), 1, 1 << 16));
                case "--ring-size" -> settings.ringSize(OptionValues.powerOfTwo(option, value(args, ++i, option), 2, 1 << 24));
                case "--state-dir" -> settings.stateDirectory(Path.of(value(args, ++i, option)));
                case "--discard-damaged-checkpoints" -> settings.discardDamagedCheckpoints(true);
                case "--health-port" -> settings.healthPort((int) OptionValues.wholeNumber(option, value(args, ++i, option), 0, 65_535));
                case "--compile-budget-seconds" -> settings.compileBudget(
                        Duration.ofSeconds(OptionValues.wholeNumber(option, value(args, ++i, option), 1, 3_600)));
                case "--grace-seconds" -> settings.gracePeriod(
                        Duration.ofSeconds(OptionValues.wholeNumber(option, value(args, ++i, option), 0, 3_600)));
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return false;
                }
                default -> throw new IllegalArgumentException("unknown option '" + option + "' (try --help)");
            }
        }
        int given = (tlsFiles[0] == null ? 0 : 1) + (tlsFiles[1] == null ? 0 : 1) + (tlsFiles[2] == null ? 0 : 1);
        if (given == 3) {
            settings.tls(new HostTls(tlsFiles[0], tlsFiles[1], tlsFiles[2]));
        } else if (given > 0) {
            throw new IllegalArgumentException("TLS needs all three of --tls-cert, --tls-key and --tls-client-ca");
        }
        if (token[0] != null) {
            try {
                settings.bearerTokens(new BearerTokens(Path.of(token[0]), token[1], token[2]));
            } catch (IOException e) {
                throw new IllegalArgumentException("--token-keys: " + e.getMessage(), e);
            }
        } else if (token[1] != null || token[2] != null) {
            throw new IllegalArgumentException("--token-issuer and --token-audience need --token-keys");
        }
        return true;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return args[index];
    }
}
