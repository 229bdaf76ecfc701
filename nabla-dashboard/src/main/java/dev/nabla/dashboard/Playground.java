package dev.nabla.dashboard;

import dev.nabla.data.Splits;
import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.RMSprop;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.History;
import dev.nabla.train.Metric;
import dev.nabla.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TensorFlow Playground's model, computed by nabla: a 2-D toy data set (circles, moons, spirals,
 * XOR), a network of dense layers with one activation, an optimizer, a learning rate and a batch
 * size; {@link #train} runs some more epochs and returns the losses and the class-1 probability
 * over a grid of the plane, for the page to draw the decision boundary. Everything is seeded:
 * the same settings give the same run.
 */
public final class Playground {
    /** The data sets, the activations and the optimizers offered. */
    public static final List<String> DATASETS = List.of("circles", "moons", "spirals", "xor"),
            ACTIVATIONS = List.of("tanh", "relu", "sigmoid"), OPTIMIZERS = List.of("sgd", "adam", "rmsprop");

    /** The grid's side: GRID × GRID points over [−EXTENT, EXTENT]². */
    public static final int GRID = 40;
    static final double EXTENT = 1.5;

    private final TensorDataset train, test;
    private final Trainer trainer;
    private final int batchSize;
    private final List<double[]> losses = new ArrayList<>();
    private final long seed;
    private int epochs;

    /**
     * A new run.
     *
     * @param hidden the widths of the hidden layers (may be empty: logistic regression)
     * @throws IllegalArgumentException naming the setting that is not one of the offered ones or out of range
     */
    public Playground(String dataset, int[] hidden, String activation, String optimizer, double lr, int batchSize, double noise, long seed) {
        if (!DATASETS.contains(dataset)) throw new IllegalArgumentException("playground: data set '" + dataset + "'; choose one of " + DATASETS);
        if (!ACTIVATIONS.contains(activation)) throw new IllegalArgumentException("playground: activation '" + activation + "'; choose one of " + ACTIVATIONS);
        if (!OPTIMIZERS.contains(optimizer)) throw new IllegalArgumentException("playground: optimizer '" + optimizer + "'; choose one of " + OPTIMIZERS);
        if (!(lr > 0 && lr <= 10)) throw new IllegalArgumentException("playground: learning rate " + lr + " must be in (0, 10]");
        if (batchSize < 1 || batchSize > 400) throw new IllegalArgumentException("playground: batch size " + batchSize + " must be in 1..400");
        if (hidden.length > 6) throw new IllegalArgumentException("playground: " + hidden.length + " hidden layers; at most 6");
        for (int h : hidden) if (h < 1 || h > 16) throw new IllegalArgumentException("playground: a layer of " + h + " units; 1..16 per layer");
        if (!(noise >= 0 && noise <= 0.5)) throw new IllegalArgumentException("playground: noise " + noise + " must be in [0, 0.5]");
        this.seed = seed;
        this.batchSize = batchSize;
        Generator g = new Generator(seed);
        TensorDataset all = data(dataset, 400, noise, g);
        Splits.TrainValidation split = Splits.trainValidation(all, 0.5, g);
        train = materialize(split.train());
        test = materialize(split.validation());
        List<Layer> layers = new ArrayList<>();
        int in = 2;
        for (int h : hidden) {
            layers.add(new Linear(in, h, g));
            layers.add(switch (activation) {
                case "relu" -> new ReLU();
                case "sigmoid" -> new Sigmoid();
                default -> new Tanh();
            });
            in = h;
        }
        layers.add(new Linear(in, 2, g));
        Sequential model = new Sequential(layers);
        Optimizer opt = switch (optimizer) {
            case "adam" -> new Adam(model.parameters(), lr);
            case "rmsprop" -> new RMSprop(model.parameters(), lr);
            default -> new SGD(model.parameters(), lr);
        };
        trainer = new Trainer(model, opt, Losses::crossEntropy, Metric.ACCURACY);
    }

    private static TensorDataset materialize(dev.nabla.data.Dataset d) {
        int[] all = new int[d.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        var b = d.get(all);
        return new TensorDataset(b.inputs(), b.targets());
    }

    /** n points of a toy set in about [−1, 1]², labels 0/1 (spirals: two arms), with Gaussian noise of the given size. */
    public static TensorDataset data(String name, int n, double noise, Generator g) {
        if (name.equals("spirals")) return Synthetic.spirals(n / 2, 2, noise * 2, g);
        double[] u = Tensor.rand(g, DType.FLOAT64, n, 2).toDoubleArray();
        double[] e = Tensor.normal(g, DType.FLOAT64, 0, noise, n, 2).toDoubleArray();
        double[] x = new double[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            double a = u[2 * i], b = u[2 * i + 1];
            switch (name) {
                case "circles" -> { // an inner disc (class 1) inside a ring (class 0)
                    double r = y[i] == 1 ? 0.5 * a : 0.7 + 0.3 * a, t = 2 * Math.PI * b;
                    x[2 * i] = r * Math.cos(t);
                    x[2 * i + 1] = r * Math.sin(t);
                }
                case "moons" -> { // two interleaved half circles, scaled into [−1.125, 1.125]
                    double t = Math.PI * a;
                    x[2 * i] = 0.75 * (y[i] == 0 ? Math.cos(t) - 0.5 : 0.5 - Math.cos(t));
                    x[2 * i + 1] = 0.75 * (y[i] == 0 ? Math.sin(t) - 0.25 : 0.25 - Math.sin(t));
                }
                default -> { // XOR: the sign of x·y
                    x[2 * i] = 2 * a - 1;
                    x[2 * i + 1] = 2 * b - 1;
                    y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
                }
            }
            x[2 * i] += e[2 * i];
            x[2 * i + 1] += e[2 * i + 1];
        }
        return new TensorDataset(Tensor.of(x, n, 2).toType(DType.FLOAT32), Tensor.of(y, n));
    }

    /**
     * Serves the playground on a server: {@code /playground/new?dataset=&layers=4,4&activation=&optimizer=&lr=&batch=&noise=&seed=}
     * starts a run, {@code /playground/train?epochs=N} trains it further; both answer with {@link #state}. The page is
     * {@code playground.html}.
     */
    public static void serve(DashboardServer server) {
        Playground[] current = {new Playground("circles", new int[] {4, 4}, "tanh", "sgd", 0.1, 10, 0.05, 0)};
        server.handle("/playground/new", q -> {
            String layers = q.getOrDefault("layers", "4,4").strip();
            int[] hidden;
            try {
                hidden = layers.isEmpty() ? new int[0] : java.util.Arrays.stream(layers.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("playground: layers '" + layers + "' must be widths separated by commas, e.g. 4,4");
            }
            Playground p = new Playground(q.getOrDefault("dataset", "circles"), hidden, q.getOrDefault("activation", "tanh"),
                    q.getOrDefault("optimizer", "sgd"), number(q, "lr", 0.1), (int) number(q, "batch", 10), number(q, "noise", 0.05),
                    (long) number(q, "seed", 0));
            synchronized (current) {
                current[0] = p;
            }
            return p.state();
        });
        server.handle("/playground/train", q -> {
            Playground p;
            synchronized (current) {
                p = current[0];
            }
            int more = (int) number(q, "epochs", 1);
            if (more < 1 || more > 100) throw new IllegalArgumentException("playground: epochs " + more + " must be in 1..100");
            return p.train(more);
        });
    }

    private static double number(Map<String, String> q, String key, double otherwise) {
        String v = q.get(key);
        if (v == null) return otherwise;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("playground: " + key + " '" + v + "' is not a number");
        }
    }

    /** Runs more epochs; returns the state as JSON for the page. */
    public synchronized String train(int moreEpochs) {
        History h = trainer.fit(train, new FitOptions().epochs(epochs + moreEpochs).initialEpoch(epochs).batchSize(batchSize)
                .seed(seed).progress(false));
        for (var logs : h.epochs()) {
            Map<String, Double> t = trainer.evaluate(test, 1000);
            losses.add(new double[] {logs.get("loss"), t.get("loss"), t.get("accuracy")});
        }
        epochs += moreEpochs;
        return state();
    }

    /** The state as JSON: epochs, train and test loss per epoch, test accuracy, the data and the probability grid. */
    public synchronized String state() {
        double[] trainLoss = new double[losses.size()], testLoss = new double[losses.size()];
        for (int i = 0; i < losses.size(); i++) {
            trainLoss[i] = losses.get(i)[0];
            testLoss[i] = losses.get(i)[1];
        }
        double[] grid = new double[GRID * GRID * 2];
        for (int r = 0; r < GRID; r++) {
            for (int c = 0; c < GRID; c++) {
                grid[2 * (r * GRID + c)] = -EXTENT + (c + 0.5) * 2 * EXTENT / GRID;
                grid[2 * (r * GRID + c) + 1] = EXTENT - (r + 0.5) * 2 * EXTENT / GRID;
            }
        }
        double[] p = probabilities(Tensor.of(grid, GRID * GRID, 2).toType(DType.FLOAT32));
        Json j = new Json().begin().field("epochs", epochs).array("trainLoss", trainLoss).array("testLoss", testLoss)
                .field("testAccuracy", losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1)[2]).field("grid", GRID)
                .field("extent", EXTENT).array("p", p).array("x", train.inputs().toDoubleArray()).array("y", train.targets().toDoubleArray());
        return j.end().toString();
    }

    // the softmax's class-1 probability at each point
    private double[] probabilities(Tensor points) {
        Layer model = trainer.model();
        model.eval();
        try (var s = GradMode.noGrad()) {
            Tensor logits = model.forward(points);
            return logits.softmax(1).narrow(1, 1, 1).toDoubleArray();
        } finally {
            model.train();
        }
    }
}
