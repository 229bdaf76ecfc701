package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Option;

/** The options of the live dashboard, shared by the commands that train ({@code --dashboard [PORT]}, {@code --host}, {@code --keep-serving}). */
final class DashboardOptions {
    /** The port {@code --dashboard} takes without a value. */
    static final int DEFAULT_PORT = 8050;

    @Option(names = "--dashboard", arity = "0..1", paramLabel = "PORT", fallbackValue = "" + DEFAULT_PORT,
            description = "serve a live dashboard of the training on http://127.0.0.1:PORT/ (default port " + DEFAULT_PORT + "; 0: any free port)")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "the address the dashboard listens on (default ${DEFAULT-VALUE}, this machine only)")
    String host;

    @Option(names = "--keep-serving", description = "keep the dashboard up after training, until Ctrl-C")
    boolean keepServing;

    /** Starts the server when --dashboard was given (else null), printing its address and a warning for a non-loopback host. */
    DashboardServer start(PrintStream out, PrintStream err) throws IOException {
        if (port == null) return null;
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--dashboard: port " + port + " must be in 0..65535");
        DashboardServer server = new DashboardServer(host, port);
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            err.println("warning: the dashboard listens on " + host + ": anyone who can reach this machine can see the run"
                    + " (it has no password); leave out --host to serve this machine only");
        }
        out.println("dashboard: " + server.url());
        return server;
    }

    /** After the command's work: with --keep-serving, waits until the process is stopped (or the thread interrupted); then stops serving. */
    void finish(DashboardServer server, PrintStream out) throws InterruptedException {
        if (server == null) return;
        try {
            if (keepServing) {
                out.println("dashboard: still serving " + server.url() + " (Ctrl-C to stop)");
                out.flush();
                new CountDownLatch(1).await(); // until the process ends (or this thread is interrupted)
            }
        } finally {
            server.close();
        }
    }
}
