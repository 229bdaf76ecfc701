package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import dev.nabla.dashboard.Playground;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nabla playground}: TensorFlow Playground on nabla: a page where one picks a 2-D toy data
 * set, the layers, activation, optimizer, learning rate and batch size, and watches the decision
 * boundary and the loss as the server trains. Serves until Ctrl-C.
 */
@Command(name = "playground", mixinStandardHelpOptions = true,
        description = "Serve the playground page: 2-D toy data sets, a small network trained on the server, its decision boundary live.")
public final class PlaygroundCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "the port (default ${DEFAULT-VALUE}; 0: any free port)")
    int port = DashboardOptions.DEFAULT_PORT;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "the address to listen on (default ${DEFAULT-VALUE}, this machine only)")
    String host = "127.0.0.1";

    @Override
    public Integer call() throws Exception {
        DashboardOptions serving = new DashboardOptions();
        serving.port = port;
        serving.host = host;
        serving.keepServing = true;
        DashboardServer server = serving.start(System.out, System.err);
        Playground.serve(server);
        System.out.println("playground: " + server.url() + "playground.html");
        serving.finish(server, System.out);
        return 0;
    }
}
