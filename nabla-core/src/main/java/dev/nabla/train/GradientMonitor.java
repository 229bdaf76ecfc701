package dev.nabla.train;

import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Training diagnostics, opt-in: a {@link Callback} for {@link Trainer#fit} that records, per
 * epoch and per layer (each module with parameters of its own, e.g. each Linear), the gradient
 * norm and the weight norm, and the fraction of dead ReLU units; it warns when gradients vanish
 * or explode.
 *
 * <ul>
 *   <li><b>gradient norm</b>: after each optimizer step, ‖g‖ = √(Σ g²) over the layer's parameters;
 *       the epoch's value is the mean over its batches (every {@link #everyBatches k}-th batch).
 *   <li><b>weight norm</b>: ‖w‖ over the layer's parameters at the end of the epoch.
 *   <li><b>dead ReLUs</b>: with a {@link #probe probe batch}, at the end of each epoch the probe
 *       runs through the network (evaluation mode, no tape) and a unit of a {@link ReLU} layer is
 *       dead when its output is 0 for every example of the probe. Needs a {@link Sequential}
 *       (nested ones are followed).
 *   <li><b>warnings</b> (once per layer and kind): <i>vanishing</i> when ‖g‖/‖w‖ &lt; 1e-7 (a step
 *       cannot change the weights) or when the smallest layer's ‖g‖ is below 1e-3 × the largest's
 *       (the gradient shrinks on its way down); <i>exploding</i> when ‖g‖ &gt; 1e3 or has grown
 *       more than 100× since the first epoch; <i>dead ReLUs</i> when more than half of a layer's
 *       units are dead. The thresholds can be changed.
 * </ul>
 *
 * The cost is one reduction per parameter per measured batch.
 *
 * <pre>{@code
 * var monitor = new GradientMonitor().probe(x.narrow(0, 0, 256));
 * trainer.fit(x, y, new FitOptions().epochs(20).callbacks(monitor));
 * double[] firstLayer = monitor.gradNorms(monitor.layers().get(0));
 * }</pre>
 */
public final class GradientMonitor implements Callback {
    /** One epoch's figures per layer (maps keyed by layer name, in network order). */
    public record EpochStats(int epoch, Map<String, Double> gradNorms, Map<String, Double> weightNorms,
                             Map<String, Double> deadFractions) {}

    private Tensor probe;
    private double vanishingRatio = 1e-7, spreadRatio = 1e-3, explodingNorm = 1e3, growthFactor = 100, deadWarning = 0.5;
    private int every = 1;
    private PrintStream out = System.out;

    private final Map<String, List<Tensor>> layers = new LinkedHashMap<>();
    private final Map<String, String> types = new LinkedHashMap<>();
    private final List<EpochStats> epochs = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> warned = new HashSet<>();
    private double[] sums;
    private int counted;

    /** A monitor with the default thresholds, warnings to System.out and no probe (no dead-ReLU count). */
    public GradientMonitor() {}

    /** Inputs [n, …] run through the network at each epoch's end to count dead ReLU units. */
    public GradientMonitor probe(Tensor inputs) {
        this.probe = inputs == null ? null : inputs.detach();
        return this;
    }

    /**
     * Warning thresholds: vanishing when ‖g‖/‖w‖ &lt; vanishingRatio or the smallest layer's
     * ‖g‖ &lt; spreadRatio × the largest's; exploding when ‖g‖ &gt; explodingNorm or &gt;
     * growthFactor × its first epoch's value.
     */
    public GradientMonitor thresholds(double vanishingRatio, double spreadRatio, double explodingNorm, double growthFactor) {
        this.vanishingRatio = vanishingRatio;
        this.spreadRatio = spreadRatio;
        this.explodingNorm = explodingNorm;
        this.growthFactor = growthFactor;
        return this;
    }

    /** Measures every k-th batch only (default every batch), to make it cheaper still. */
    public GradientMonitor everyBatches(int k) {
        if (k < 1) throw new IllegalArgumentException("GradientMonitor.everyBatches: " + k + " must be >= 1");
        this.every = k;
        return this;
    }

    /** Where warnings are printed (System.out by default; null: only kept in {@link #warnings()}). */
    public GradientMonitor output(PrintStream out) {
        this.out = out;
        return this;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        layers.clear();
        types.clear();
        epochs.clear();
        warnings.clear();
        warned.clear();
        for (var e : trainer.model().namedLayers().entrySet()) {
            Layer m = e.getValue();
            List<Tensor> own = new ArrayList<>();
            for (var p : m.allParameters()) {
                // a parameter of this module itself: its dotted name has no further level
                if (!p.name().contains(".") && p.trainable()) own.add(p.tensor());
            }
            if (!own.isEmpty()) {
                String name = e.getKey().isEmpty() ? "model" : e.getKey();
                layers.put(name, own);
                types.put(name, m.typeName());
            }
        }
        sums = new double[layers.size()];
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        java.util.Arrays.fill(sums, 0);
        counted = 0;
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {
        if (batch % every != 0) return;
        int i = 0;
        for (List<Tensor> params : layers.values()) {
            double s = 0;
            for (Tensor p : params) {
                Tensor g = Internals.get().gradInPassing(p);
                if (g != null) s += squaredNorm(g);
            }
            sums[i++] += Math.sqrt(s);
        }
        counted++;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        Map<String, Double> grads = new LinkedHashMap<>(), weights = new LinkedHashMap<>();
        int i = 0;
        for (var e : layers.entrySet()) {
            grads.put(e.getKey(), counted == 0 ? Double.NaN : sums[i++] / counted);
            double s = 0;
            for (Tensor p : e.getValue()) s += squaredNorm(p);
            weights.put(e.getKey(), Math.sqrt(s));
        }
        Map<String, Double> dead = probe == null ? Map.of() : deadFractions(trainer.model());
        EpochStats stats = new EpochStats(epoch, Collections.unmodifiableMap(grads), Collections.unmodifiableMap(weights),
                Collections.unmodifiableMap(dead));
        epochs.add(stats);
        check(stats);
    }

    private void check(EpochStats s) {
        String where = "epoch " + (s.epoch() + 1);
        String minLayer = null, maxLayer = null;
        for (var e : s.gradNorms().entrySet()) {
            String layer = e.getKey();
            double g = e.getValue(), w = s.weightNorms().get(layer);
            if (Double.isNaN(g)) continue;
            if (minLayer == null || g < s.gradNorms().get(minLayer)) minLayer = layer;
            if (maxLayer == null || g > s.gradNorms().get(maxLayer)) maxLayer = layer;
            if (w > 0 && g / w < vanishingRatio) {
                warn("vanish:" + layer, String.format(Locale.ROOT, "%s: the gradients of %s vanish: ‖g‖ = %.3g is %.1e of ‖w‖ = %.3g,"
                        + " too small to change the weights (try ReLU, He/Xavier init, batch norm, a larger learning rate)",
                        where, label(layer), g, g / w, w));
            }
            double first = epochs.get(0).gradNorms().get(layer);
            if (g > explodingNorm) {
                warn("explode:" + layer, String.format(Locale.ROOT, "%s: the gradients of %s explode: ‖g‖ = %.3g > %.3g"
                        + " (try a smaller learning rate, gradient clipping, normalized inputs)", where, label(layer), g, explodingNorm));
            } else if (first > 0 && g > growthFactor * first) {
                warn("explode:" + layer, String.format(Locale.ROOT, "%s: the gradients of %s keep growing: ‖g‖ = %.3g, %.0f× the first"
                        + " epoch's %.3g (try a smaller learning rate or gradient clipping)", where, label(layer), g, g / first, first));
            }
        }
        if (minLayer != null && !minLayer.equals(maxLayer)) {
            double lo = s.gradNorms().get(minLayer), hi = s.gradNorms().get(maxLayer);
            if (lo < spreadRatio * hi) {
                warn("spread:" + minLayer, String.format(Locale.ROOT, "%s: vanishing gradients: ‖g‖ of %s is %.3g, %.1e of the"
                        + " %.3g of %s (try ReLU, He/Xavier init, batch norm, residual connections)",
                        where, label(minLayer), lo, lo / hi, hi, label(maxLayer)));
            }
        }
        for (var e : s.deadFractions().entrySet()) {
            if (e.getValue() > deadWarning) {
                warn("dead:" + e.getKey(), String.format(Locale.ROOT, "%s: %.0f%% of the units of ReLU layer %s are dead (0 for"
                        + " every probe example; try a smaller learning rate, He init or LeakyReLU)", where, 100 * e.getValue(), e.getKey()));
            }
        }
    }

    private void warn(String key, String message) {
        if (!warned.add(key)) return;
        warnings.add(message);
        if (out != null) out.println("warning: " + message);
    }

    private Map<String, Double> deadFractions(Layer model) {
        Map<String, Double> dead = new LinkedHashMap<>();
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var s = GradMode.noGrad()) {
            run(model, "", probe, dead);
        } finally {
            if (wasTraining) model.train();
        }
        return dead;
    }

    private static Tensor run(Layer m, String name, Tensor x, Map<String, Double> dead) {
        if (m instanceof Sequential seq) {
            for (int i = 0; i < seq.size(); i++) x = run(seq.get(i), name.isEmpty() ? String.valueOf(i) : name + "." + i, x, dead);
            return x;
        }
        Tensor y = m.forward(x);
        if (m instanceof ReLU && y.dim() >= 1 && y.size(0) > 0) {
            // a unit is alive when it is positive for at least one example
            Tensor alive = y.amax(new int[] {0}, false).gt(0);
            int units = alive.numel();
            double aliveCount = alive.toType(dev.nabla.tensor.DType.FLOAT64).sum().item();
            dead.put(name.isEmpty() ? "model" : name, units == 0 ? 0 : (units - aliveCount) / units);
        }
        return y;
    }

    private static double squaredNorm(Tensor t) {
        try (var s = GradMode.noGrad()) {
            return t.toType(dev.nabla.tensor.DType.FLOAT64).square().sum().item();
        }
    }

    /** The monitored layers: the dotted names of the modules that own parameters ("0", "2", …), in order. */
    public List<String> layers() {
        return List.copyOf(layers.keySet());
    }

    /** A layer's module type, e.g. "Linear". */
    public String type(String layer) {
        return types.getOrDefault(layer, "?");
    }

    /** A layer's name with its type, e.g. "0 (Linear)". */
    public String label(String layer) {
        return layer + " (" + types.getOrDefault(layer, "?") + ")";
    }

    /** The figures of each finished epoch. */
    public List<EpochStats> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** A layer's mean gradient norm, per epoch. */
    public double[] gradNorms(String layer) {
        return series(layer, EpochStats::gradNorms);
    }

    /** A layer's weight norm at the end of each epoch. */
    public double[] weightNorms(String layer) {
        return series(layer, EpochStats::weightNorms);
    }

    /** The ReLU layers whose dead units were counted (empty without a probe). */
    public List<String> reluLayers() {
        return epochs.isEmpty() ? List.of() : List.copyOf(epochs.get(0).deadFractions().keySet());
    }

    /** The fraction of dead units of a ReLU layer, per epoch. */
    public double[] deadFractions(String reluLayer) {
        return series(reluLayer, EpochStats::deadFractions);
    }

    /** The warnings given so far, in order. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    private double[] series(String key, java.util.function.Function<EpochStats, Map<String, Double>> f) {
        double[] v = new double[epochs.size()];
        for (int i = 0; i < v.length; i++) {
            Double d = f.apply(epochs.get(i)).get(key);
            if (d == null && i == 0) {
                throw new IllegalArgumentException("GradientMonitor: no layer '" + key + "'; the layers are " + layers.keySet()
                        + " and the ReLU layers " + reluLayers());
            }
            v[i] = d == null ? Double.NaN : d;
        }
        return v;
    }
}
