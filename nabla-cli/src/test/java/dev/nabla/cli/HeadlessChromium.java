package dev.nabla.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium driven through the DevTools protocol (the JDK's WebSocket client,
 * no driver needed): open a page, evaluate JavaScript in it, reload it, take a screenshot.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://([^/]+)/");
    private static final Pattern PAGE_SOCKET = Pattern.compile("\"type\"\\s*:\\s*\"page\"[^}]*?\"webSocketDebuggerUrl\"\\s*:\\s*\"([^\"]+)\"",
            Pattern.DOTALL);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();

    HeadlessChromium(String url, Path profile) throws IOException, InterruptedException {
        process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "--window-size=1200,1600", url).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String host = null;
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        for (String line; host == null && (line = err.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) host = m.group(1);
        }
        if (host == null) throw new IOException("chromium did not start its DevTools server");
        Thread.ofPlatform().daemon().start(() -> err.lines().forEach(l -> { })); // keep its stderr drained
        HttpClient http = HttpClient.newHttpClient();
        String socketUrl = null;
        for (int i = 0; i < 100 && socketUrl == null; i++) {
            String list = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = PAGE_SOCKET.matcher(list);
            if (m.find()) socketUrl = m.group(1);
            else Thread.sleep(100);
        }
        if (socketUrl == null) throw new IOException("chromium opened no page");
        socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(URI.create(socketUrl), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String message = text.toString();
                    text.setLength(0);
                    Matcher m = Pattern.compile("^\\{\"id\":(\\d+),").matcher(message);
                    if (m.find()) {
                        CompletableFuture<String> f = pending.remove(Integer.parseInt(m.group(1)));
                        if (f != null) f.complete(message);
                    }
                }
                ws.request(1);
                return null;
            }
        }).join();
    }

    /** Sends a DevTools command and returns its JSON reply. */
    String call(String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).join();
        return reply.get(20, TimeUnit.SECONDS);
    }

    /** The value of a JavaScript expression in the page, as a string. */
    String eval(String expression) throws Exception {
        String reply = call("Runtime.evaluate", "{\"expression\":\"String(" + expression.replace("\\", "\\\\").replace("\"", "\\\"")
                + ")\",\"returnByValue\":true}");
        Matcher m = Pattern.compile("\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(reply);
        if (!m.find()) throw new IllegalStateException("no value for " + expression + ": " + reply);
        return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    }

    /** Waits until the expression is true in the page (polling; an error, as while a page loads, counts as not yet), or fails after the timeout. */
    void await(String condition, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!"true".equals(evalOrError(condition))) {
            if (System.nanoTime() > end) throw new AssertionError("the page never got to: " + condition);
            Thread.sleep(100);
        }
    }

    private String evalOrError(String expression) throws Exception {
        try {
            return eval(expression);
        } catch (IllegalStateException e) {
            return "error";
        }
    }

    /** A PNG screenshot of the page. */
    byte[] screenshot() throws Exception {
        Matcher m = Pattern.compile("\"data\":\"([^\"]+)\"").matcher(call("Page.captureScreenshot", "{\"format\":\"png\"}"));
        if (!m.find()) throw new IllegalStateException("no screenshot");
        return Base64.getDecoder().decode(m.group(1));
    }

    @Override
    public void close() throws InterruptedException {
        socket.abort();
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
