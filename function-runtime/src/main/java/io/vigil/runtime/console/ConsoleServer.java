package io.vigil.runtime.console;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Status;
import io.vigil.api.proto.ConsoleUpdate;
import io.vigil.runtime.control.ControlPlaneService;
import io.vigil.runtime.operator.Operators;
import io.vigil.runtime.security.Caller;
import io.vigil.runtime.security.HostAccess;
import io.vigil.runtime.security.CallerInterceptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's web console: its pages (static files from the jar, uPlot from its npm package's
 * webjar) and the JSON of {@code vigil/v1/console.proto}, over HTTPS with the host's own
 * certificate when the host serves TLS. A caller is known as on the gRPC port, by a bearer token
 * or a client certificate; the pages are open to anyone, the data only to callers the host takes.
 */
public final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final String PAGES = "io/vigil/runtime/console/";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "png", "image/png");
    private static final long MAX_UPDATE_BYTES = 4 << 20;
    private final HttpServer server;
    private final ExecutorService threads;
    private final ConsoleApi api;
    private final CallerInterceptor callers;
    private final boolean loopback;
    private final String uplot;

    /**
     * @param tls     the host's TLS context, or null for a plaintext host (which listens on loopback, or was told {@code --plaintext})
     * @param callers how the host knows who calls
     */
    ConsoleServer(String bindAddress, int port, SSLContext tls, CallerInterceptor callers, ConsoleApi api) throws IOException {
        InetAddress address = InetAddress.getByName(bindAddress);
        this.loopback = address.isLoopbackAddress();
        this.api = api;
        this.callers = callers;
        this.uplot = webjarDirectory("uplot");
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress(address, port), 32);
        } else {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(address, port), 32);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters parameters) {
                    SSLParameters ssl = tls.getDefaultSSLParameters();
                    // A browser need not show a certificate: it may send a bearer token instead.
                    ssl.setWantClientAuth(true);
                    parameters.setSSLParameters(ssl);
                }
            });
            server = https;
        }
        threads = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "vigil-console");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/", this::serve);
    }

    public static ConsoleServer start(String bindAddress, int port, SSLContext tls, CallerInterceptor callers,
            ControlPlaneService control, Operators operators, HostAccess access, OperatorTimelines timelines) throws IOException {
        ConsoleServer console = new ConsoleServer(bindAddress, port, tls, callers, new ConsoleApi(control, operators, access, timelines));
        console.server.start();
        return console;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public boolean isHttps() {
        return server instanceof HttpsServer;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            if (loopback && !fromLoopbackName(exchange)) {
                // A page elsewhere that got its name resolved to 127.0.0.1 (DNS rebinding) reads nothing here.
                text(exchange, 421, "this console answers only to localhost, 127.0.0.1 and [::1]");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/api/")) {
                api(exchange, path);
            } else if (exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD")) {
                page(exchange, path);
            } else {
                text(exchange, 405, "pages are read with GET");
            }
        } catch (RuntimeException e) {
            LOG.warn("The console failed answering {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        }
    }

    private void api(HttpExchange exchange, String path) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        try {
            Caller caller;
            try {
                caller = callers.recognize(exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange instanceof HttpsExchange https ? https.getSSLSession() : null);
            } catch (CallerInterceptor.Unrecognized e) {
                throw new ConsoleFailure(Status.Code.UNAUTHENTICATED, e.getMessage(), List.of());
            }
            String method = exchange.getRequestMethod();
            Message answer;
            if (method.equals("GET") && path.equals("/api/operators")) {
                answer = api.operators(caller);
            } else if (method.equals("GET") && path.equals("/api/operator")) {
                answer = api.operator(caller, query(exchange, "name"));
            } else if (method.equals("POST") && path.equals("/api/operator/update")) {
                requireSameOrigin(exchange);
                answer = api.update(caller, updateRequest(exchange));
            } else {
                throw new ConsoleFailure(Status.Code.NOT_FOUND, "no " + method + " " + path + " here: see vigil/v1/console.proto", List.of());
            }
            json(exchange, 200, answer);
        } catch (ConsoleFailure e) {
            json(exchange, e.httpStatus(), e.toError());
        }
    }

    /**
     * A change must come from the console's own page: a custom header (which a page elsewhere
     * cannot send without a preflight this server never grants) and, when the browser names one,
     * this origin.
     */
    private static void requireSameOrigin(HttpExchange exchange) throws ConsoleFailure {
        if (!"1".equals(exchange.getRequestHeaders().getFirst("X-Vigil-Console"))) {
            throw new ConsoleFailure(Status.Code.PERMISSION_DENIED, "a change needs the header X-Vigil-Console: 1", List.of());
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin != null && (host == null || !origin.replaceFirst("^https?://", "").equals(host))) {
            throw new ConsoleFailure(Status.Code.PERMISSION_DENIED, "a change from " + origin + " is not this console's", List.of());
        }
    }

    private static ConsoleUpdate updateRequest(HttpExchange exchange) throws IOException, ConsoleFailure {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes((int) MAX_UPDATE_BYTES + 1);
        }
        if (body.length > MAX_UPDATE_BYTES) {
            throw new ConsoleFailure(Status.Code.INVALID_ARGUMENT, "an update's source is at most " + MAX_UPDATE_BYTES + " bytes", List.of());
        }
        ConsoleUpdate.Builder update = ConsoleUpdate.newBuilder();
        try {
            JsonFormat.parser().merge(new String(body, StandardCharsets.UTF_8), update);
        } catch (InvalidProtocolBufferException e) {
            throw new ConsoleFailure(Status.Code.INVALID_ARGUMENT, "not a ConsoleUpdate: " + e.getMessage(), List.of());
        }
        if (update.getName().isEmpty()) {
            throw new ConsoleFailure(Status.Code.INVALID_ARGUMENT, "an update names its operator", List.of());
        }
        return update.build();
    }

    private static String query(HttpExchange exchange, String key) throws ConsoleFailure {
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals(key)) {
                    return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                }
            }
        }
        throw new ConsoleFailure(Status.Code.INVALID_ARGUMENT, "the query names no " + key, List.of());
    }

    private void page(HttpExchange exchange, String path) throws IOException {
        String resource;
        if (path.equals("/") || path.equals("/index.html")) {
            resource = PAGES + "index.html";
        } else if (path.startsWith("/vendor/uplot/") && uplot != null && path.matches("/vendor/uplot/[A-Za-z0-9.]+")) {
            resource = uplot + "dist/" + path.substring("/vendor/uplot/".length());
        } else if (path.matches("/[a-z-]+\\.(js|css|png)")) {
            resource = PAGES + path.substring(1);
        } else {
            text(exchange, 404, "no page " + path);
            return;
        }
        byte[] content;
        try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                text(exchange, 404, "no page " + path);
                return;
            }
            content = in.readAllBytes();
        }
        String extension = resource.substring(resource.lastIndexOf('.') + 1);
        exchange.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(extension, "application/octet-stream"));
        exchange.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'");
        send(exchange, 200, content);
    }

    private static boolean fromLoopbackName(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return false;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d+$", "");
        return name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]");
    }

    /** Where a webjar's files lie on the class path ({@code META-INF/resources/webjars/NAME/VERSION/}), or null without it. */
    private static String webjarDirectory(String name) {
        try (InputStream in = ConsoleServer.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/" + name + "/pom.properties")) {
            if (in == null) {
                LOG.warn("The {} webjar is not on the class path: the console shows no charts", name);
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            return "META-INF/resources/webjars/" + name + "/" + properties.getProperty("version") + "/";
        } catch (IOException e) {
            return null;
        }
    }

    private static void json(HttpExchange exchange, int status, Message message) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        send(exchange, status, JsonFormat.printer().includingDefaultValueFields().omittingInsignificantWhitespace().print(message).getBytes(StandardCharsets.UTF_8));
    }

    private static void text(HttpExchange exchange, int status, String text) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, status, (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
