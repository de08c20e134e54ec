package io.vigil.adapter.grpc.python;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Python operator process on this machine, for the demo, the tests and the benchmarks. Unpacks
 * the script (a class-path resource), the Python side of the contract ({@code vigil_remote.py})
 * and the project's {@code .proto} files into a directory, generates the stubs with protoc and the
 * gRPC Python plugin, runs the script on the Python that has Debian's {@code python3-grpcio}, and
 * waits until it listens.
 */
public final class PythonOperatorProcess implements AutoCloseable {
    /** What the Python side needs, as Debian packages (the list {@code ./vigil setup-python} installs). */
    public static final String PACKAGES = packages();
    private static final String[] PROTOS = {"schema.proto", "control.proto", "dataplane.proto", "remote.proto"};
    private static final Pattern SERVING = Pattern.compile("serving .* on (\\S+):(\\d+)$");
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Path directory;
    private final String script;
    // Arguments after the port: the TLS files, when it serves mutual TLS.
    private final List<String> arguments;
    /** Stops the process and deletes its directory if the JVM exits (Ctrl-C included) before {@link #close()}. */
    private final Thread onExit = new Thread(this::stopQuietly, "stop-python-operator");
    private volatile Process process;
    private int port;

    private PythonOperatorProcess(Path directory, String script, List<String> arguments) {
        this.directory = directory;
        this.script = script;
        this.arguments = arguments;
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts {@code scriptResource} (for example {@code /fraud/python/fraud_rules.py}) on a free port. */
    public static PythonOperatorProcess start(String scriptResource) throws IOException {
        return start(scriptResource, 0);
    }

    /** Starts {@code scriptResource} on {@code port} (0: a free one). */
    public static PythonOperatorProcess start(String scriptResource, int port) throws IOException {
        return start(scriptResource, port, List.of());
    }

    /**
     * Starts {@code scriptResource} on a free port serving mutual TLS: its certificate and key, and
     * the authority whose certificates (the hosts') it accepts, all PEM.
     */
    public static PythonOperatorProcess startWithTls(String scriptResource, Path certificate, Path key, Path clientCa)
            throws IOException {
        return start(scriptResource, 0, List.of("--tls-cert", certificate.toString(), "--tls-key", key.toString(),
                "--tls-client-ca", clientCa.toString()));
    }

    private static PythonOperatorProcess start(String scriptResource, int port, List<String> arguments) throws IOException {
        Path directory = Files.createTempDirectory("vigil-python-");
        String script = scriptResource.substring(scriptResource.lastIndexOf('/') + 1);
        copy(scriptResource, directory.resolve(script));
        copy("/io/vigil/adapter/grpc/python/vigil_remote.py", directory.resolve("vigil_remote.py"));
        generateStubs(directory);
        PythonOperatorProcess operator = new PythonOperatorProcess(directory, script, List.copyOf(arguments));
        Runtime.getRuntime().addShutdownHook(operator.onExit);
        operator.launch(port);
        return operator;
    }

    /** The gRPC target an operator spec names as its source. */
    public String target() {
        return "127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Starts the script again on the same port, with no state: the host restores what it needs. */
    public void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException("the Python operator process " + process.pid() + " is still running");
        }
        launch(port);
    }

    private void launch(int onPort) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(python(), "-u", script, "--port", Integer.toString(onPort)));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(directory.resolve("stderr.log").toFile()));
        builder.environment().put("PYTHONPATH", directory.toString());
        process = builder.start();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> forwardOutput(process.getInputStream(), listening), "python-operator-" + script);
        reader.setDaemon(true);
        reader.start();
        try {
            port = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("the Python operator " + script + " did not start listening (it runs on " + python()
                    + " with Debian's " + PACKAGES + "): " + errors(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted starting " + script, e);
        }
    }

    private void forwardOutput(InputStream output, CompletableFuture<Integer> listening) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                Matcher serving = SERVING.matcher(line);
                if (!listening.isDone() && serving.find()) {
                    listening.complete(Integer.parseInt(serving.group(2)));
                }
            }
        } catch (IOException e) {
            listening.completeExceptionally(e);
        }
        listening.completeExceptionally(new IOException("the process ended"));
    }

    private String errors() {
        try {
            Path log = directory.resolve("stderr.log");
            return Files.exists(log) ? Files.readString(log).strip() : "(no output)";
        } catch (IOException e) {
            return "(its output is unreadable: " + e + ")";
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL after 5 s) and deletes its directory. */
    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException exiting) {
            // Called while the JVM shuts down: the hook stops the process too.
        }
        stop();
    }

    private void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        try (var files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // A temporary directory left behind is no reason to fail whoever closes the process.
            return;
        }
    }

    /** Debian's python3, where python3-grpcio installs, unless VIGIL_PYTHON names another. */
    private static String python() {
        String configured = System.getenv("VIGIL_PYTHON");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static void generateStubs(Path directory) throws IOException {
        Path protos = directory.resolve("proto");
        List<String> command = new ArrayList<>(List.of("protoc", "-I" + protos,
                "--python_out=" + directory, "--grpc_python_out=" + directory,
                "--plugin=protoc-gen-grpc_python=" + plugin()));
        for (String proto : PROTOS) {
            copy("/vigil/v1/" + proto, protos.resolve("vigil/v1/" + proto));
            command.add(protos.resolve("vigil/v1/" + proto).toString());
        }
        Process protoc;
        try {
            protoc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("Python operators need protoc and the gRPC Python plugin (Debian: apt-get install "
                    + PACKAGES + "; ./vigil setup-python does it): " + e.getMessage(), e);
        }
        String output = new String(protoc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (protoc.waitFor() != 0) {
                throw new IOException("protoc could not generate the Python stubs: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted generating the Python stubs", e);
        }
    }

    private static String plugin() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "grpc_python_plugin");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IOException("the gRPC Python plugin (grpc_python_plugin) is not on the PATH; Debian: apt-get install "
                + PACKAGES + " (./vigil setup-python does it)");
    }

    private static String packages() {
        try (InputStream in = PythonOperatorProcess.class.getResourceAsStream("/io/vigil/adapter/grpc/python/debian-packages")) {
            if (in == null) {
                throw new IllegalStateException("the list of Debian packages is missing from the adapter's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = PythonOperatorProcess.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path");
            }
            Files.createDirectories(to.getParent());
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
