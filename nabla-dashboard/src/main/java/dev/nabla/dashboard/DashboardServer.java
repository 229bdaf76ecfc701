package dev.nabla.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The live dashboard's web server (the JDK's built-in HTTP server): the page and its scripts,
 * the vendored chart library, and the run's events as Server-Sent Events on {@code /events}.
 * The server keeps every event of the run and replays them to each new connection, so a
 * reloaded page, or one opened late, shows everything; {@code /state} gives them as one JSON
 * array. It binds to the loopback address unless told otherwise.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "json", "application/json", "LICENSE", "text/plain; charset=utf-8");

    private final HttpServer server;
    private final String host;
    private final ExecutorService threads;
    private final List<String> events = new ArrayList<>();
    private boolean closed;

    /**
     * Starts serving on host:port (port 0: any free port).
     *
     * @throws IOException naming the address when it cannot be bound (e.g. the port is in use)
     */
    public DashboardServer(String host, int port) throws IOException {
        this.host = host;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        } catch (BindException e) {
            throw new IOException("cannot serve on " + host + ":" + port + " (" + e.getMessage() + "); choose another port, or 0 for any free one", e);
        }
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "nabla-dashboard");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/events", this::events);
        server.createContext("/state", this::state);
        server.createContext("/", this::resource);
        server.start();
    }

    /**
     * Serves JSON computed from the request's query parameters on path (GET): the playground's
     * endpoints. An {@link IllegalArgumentException} becomes a 400 answer with its message.
     */
    public void handle(String path, Function<Map<String, String>, String> json) {
        server.createContext(path, ex -> {
            Map<String, String> query = new HashMap<>();
            String q = ex.getRequestURI().getRawQuery();
            if (q != null) {
                for (String pair : q.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            try {
                send(ex, 200, "application/json", json.apply(query).getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                send(ex, 400, "text/plain; charset=utf-8", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /** The page's address with the host as given, e.g. http://127.0.0.1:8050/. */
    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/";
    }

    /** The port served on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Publishes one event (a JSON object) to every open page and to those opened later. */
    public synchronized void publish(String json) {
        events.add(json);
        notifyAll();
    }

    /** The events published so far. */
    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    private void state(HttpExchange ex) throws IOException {
        send(ex, 200, "application/json", ("[" + String.join(",", events()) + "]").getBytes(StandardCharsets.UTF_8));
    }

    // Server-Sent Events: every event so far, then each new one as it comes, until the page goes or the server closes
    private void events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            int sent = 0;
            while (true) {
                List<String> next;
                synchronized (this) {
                    while (sent == events.size() && !closed) {
                        try {
                            wait(15_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        if (sent == events.size() && !closed) break; // a comment line keeps proxies and the browser from timing out
                    }
                    if (closed) return;
                    next = List.copyOf(events.subList(sent, events.size()));
                }
                StringBuilder sb = new StringBuilder();
                if (next.isEmpty()) sb.append(": keep-alive\n\n");
                for (String e : next) sb.append("data: ").append(e).append("\n\n");
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                sent += next.size();
            }
        } catch (IOException gone) {
            // the page was closed or reloaded: nothing to do
        }
    }

    private void resource(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/")) path = "/index.html";
        if (path.contains("..") || !ex.getRequestMethod().equals("GET")) {
            send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = DashboardServer.class.getResourceAsStream("web" + path)) {
            if (in == null) {
                send(ex, 404, "text/plain", ("no " + path + " here").getBytes(StandardCharsets.UTF_8));
                return;
            }
            String name = path.substring(path.lastIndexOf('/') + 1);
            String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : name;
            send(ex, 200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Ends the open event streams and stops serving. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
