package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import dev.nabla.dashboard.Playground;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        PrintStream o = Streams.out(command);
        DashboardOptions serving = new DashboardOptions();
        serving.port = port;
        serving.host = host;
        serving.keepServing = true;
        DashboardServer server = serving.start(o, Streams.err(command));
        Playground.serve(server);
        o.println("playground: " + server.url() + "playground.html");
        serving.finish(server, o);
        return 0;
    }
}
