package dev.nabla.optim;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.RowSparse;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The base of nabla's optimizers: holds the parameters (leaf tensors that require grad), the
 * learning rate and the per-parameter state, and updates the parameters in place from their
 * {@code grad()} with PyTorch's update rules.
 *
 * <pre>{@code
 * var opt = new Adam(params);
 * for (...) { opt.zeroGrad(); loss(...).backward(); opt.step(); }
 * }</pre>
 *
 * <p>State (momentum buffers, moments, step counts) is created lazily the first time a
 * parameter has a gradient, as in PyTorch; a parameter whose grad is null is skipped by
 * {@link #step()} and its state is left unchanged. {@link #stateDict()} exports it as a flat
 * map of tensors with names like {@code "3.exp_avg"} and {@code "3.step"} (parameter index,
 * dot, PyTorch's state name) plus {@code "lr"}, which a safetensors checkpoint can store.
 */
public abstract class Optimizer {
    /** The key of the learning rate in {@link #stateDict()}. */
    public static final String LR_KEY = "lr";

    private final String name;
    /** Whether update() is nabla's own, which keeps no reference to the gradient it is given (see gradOf). */
    private final boolean ownRules;
    private final List<Tensor> params;
    private final State[] states;
    private double lr;

    /** The mutable state of one parameter: a step count and named buffers (null until set). */
    protected static final class State {
        private long step;
        private final Tensor[] buffers;

        State(int buffers) {
            this.buffers = new Tensor[buffers];
        }

        /** The number of updates this parameter has had. */
        public long step() {
            return step;
        }

        /** Adds one to the step count and returns the new count. */
        public long incrementStep() {
            return ++step;
        }

        /** The buffer at position {@code i} of {@link #bufferNames()}, or null. */
        public Tensor buffer(int i) {
            return buffers[i];
        }

        /** Sets the buffer at position {@code i}. */
        public void setBuffer(int i, Tensor t) {
            buffers[i] = t;
        }
    }

    /**
     * Validates and keeps the parameters. {@code name} (e.g. "Adam") prefixes every error message.
     *
     * @throws IllegalArgumentException if the list is empty, has a duplicate, or holds a tensor
     *     that is not a leaf requiring grad, or if lr is negative or not finite
     */
    protected Optimizer(String name, List<Tensor> params, double lr) {
        this.name = name;
        Class<?> c = getClass();
        ownRules = c.getPackageName().equals(Optimizer.class.getPackageName()) && c.getClassLoader() == Optimizer.class.getClassLoader();
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException(name + ": got an empty parameter list; pass the tensors to optimize"
                    + " (leaf tensors with requiresGrad(true))");
        }
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) throw new IllegalArgumentException(name + ": parameter " + i + " is null");
            if (!p.isLeaf()) {
                throw new IllegalArgumentException(name + ": parameter " + i + " (shape " + Arrays.toString(p.shape())
                        + ") is the result of " + p.gradFn() + ", not a leaf tensor; optimize the leaf it was computed"
                        + " from, or detach() it and call requiresGrad(true)");
            }
            if (!p.requiresGrad()) {
                throw new IllegalArgumentException(name + ": parameter " + i + " (shape " + Arrays.toString(p.shape())
                        + ") does not require grad; call requiresGrad(true) on it");
            }
            Integer first = seen.putIfAbsent(p, i);
            if (first != null) {
                throw new IllegalArgumentException(name + ": parameter " + i + " (shape " + Arrays.toString(p.shape())
                        + ") is the same tensor as parameter " + first + "; pass each parameter once");
            }
        }
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        this.states = new State[params.size()];
        this.lr = checkLr(lr);
    }

    private double checkLr(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": invalid learning rate " + value + "; it must be finite and >= 0");
        }
        return value;
    }

    /** The optimizer's name as used in messages, e.g. "Adam". */
    public String name() {
        return name;
    }

    /** The parameters, in the order given (unmodifiable). */
    public List<Tensor> params() {
        return params;
    }

    /** The current learning rate. */
    public double lr() {
        return lr;
    }

    /** Sets the learning rate (schedulers call this). */
    public void setLr(double lr) {
        this.lr = checkLr(lr);
    }

    /** Sets every parameter's gradient to null (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (Tensor p : params) p.setGrad(null);
    }

    /**
     * Updates every parameter that has a gradient, in place and without recording a graph.
     * Parameters whose grad is null are skipped.
     */
    public void step() {
        try (var scope = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                RowSparse rows = p.sparseGrad();
                Tensor g = gradOf(p);
                if (rows == null && g == null) continue;
                State s = states[i];
                if (s == null) {
                    s = new State(bufferNames().size());
                    initState(p, s);
                    states[i] = s;
                }
                if (rows != null && updateRows(p, rows.coalesce(), s)) continue;
                if (g.dtype() != p.dtype()) g = g.toType(p.dtype());
                update(p, g, s);
            }
        }
    }

    /**
     * The names of this optimizer's per-parameter buffers, in PyTorch's vocabulary (e.g.
     * "exp_avg"), as they appear in the state dict; positions index {@link State#buffer(int)}.
     */
    protected abstract List<String> bufferNames();

    /** Whether the state has a step count (saved as "i.step"). */
    protected abstract boolean hasStepCount();

    /**
     * p's gradient for {@link #update}: nabla's own rules keep no reference to it past the call, so
     * its array may serve the next backward pass after zeroGrad; a subclass from elsewhere gets
     * {@link Tensor#grad()}, which it may keep.
     */
    private Tensor gradOf(Tensor p) {
        return ownRules ? Internals.get().gradInPassing(p) : p.grad();
    }

    /** Creates the state of a parameter the first time it has a gradient (buffers may stay null). */
    protected abstract void initState(Tensor param, State state);

    /** Updates one parameter in place from its gradient (already in the parameter's dtype). */
    protected abstract void update(Tensor param, Tensor grad, State state);

    /**
     * Updates only the rows of a row-sparse gradient (coalesced: each row once, ascending), as
     * PyTorch does for {@code Embedding(sparse=True)}; returns false when this optimizer, with
     * its settings, has no row-wise rule, and the dense gradient is then used.
     */
    protected boolean updateRows(Tensor param, RowSparse grad, State state) {
        return false;
    }

    /** Throws the standard error for an invalid hyper-parameter unless {@code ok}. */
    protected final void require(boolean ok, String hyperParameter, double value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": invalid " + hyperParameter + " " + value + "; " + rule);
        }
    }

    // ------------------------------------------------------------------ state dict

    /**
     * A snapshot of the optimizer state: for each parameter i that has state, its buffers as
     * {@code "i.<buffer>"} (copies, in the parameter's dtype and shape) and its step count as
     * {@code "i.step"} (a float64 scalar), plus the learning rate as {@code "lr"} (a float64
     * scalar). Later steps do not change the returned tensors.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(LR_KEY, Tensor.scalar(DType.FLOAT64, lr));
        List<String> names = bufferNames();
        try (var scope = GradMode.noGrad()) {
            for (int i = 0; i < states.length; i++) {
                State s = states[i];
                if (s == null) continue;
                if (hasStepCount()) out.put(i + ".step", Tensor.scalar(DType.FLOAT64, s.step));
                for (int b = 0; b < names.size(); b++) {
                    if (s.buffers[b] != null) out.put(i + "." + names.get(b), s.buffers[b].copy());
                }
            }
        }
        return out;
    }

    /**
     * Replaces the optimizer state with one from {@link #stateDict()} (of an optimizer of the
     * same kind and settings over parameters of the same shapes). The tensors are copied (and
     * converted to each parameter's dtype); "lr", when present, sets the learning rate. A
     * parameter with no entry starts fresh. Everything is checked before anything changes.
     *
     * @throws IllegalArgumentException on an unknown key, a parameter index out of range, a
     *     missing buffer or step of a parameter that has state, a shape mismatch, or a bad value
     */
    public void loadStateDict(Map<String, Tensor> stateDict) {
        List<String> names = bufferNames();
        double newLr = lr;
        Map<Integer, Map<String, Tensor>> perParam = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            if (t == null) throw new IllegalArgumentException(name + ".loadStateDict: entry '" + key + "' is null");
            if (key.equals(LR_KEY)) {
                if (t.numel() != 1) {
                    throw new IllegalArgumentException(name + ".loadStateDict: 'lr' must be a scalar, got shape "
                            + Arrays.toString(t.shape()));
                }
                newLr = t.item();
                if (!(newLr >= 0) || Double.isInfinite(newLr)) {
                    throw new IllegalArgumentException(name + ".loadStateDict: invalid learning rate " + newLr
                            + " in 'lr'; it must be finite and >= 0");
                }
                continue;
            }
            int dot = key.indexOf('.');
            int index;
            try {
                index = dot > 0 ? Integer.parseInt(key.substring(0, dot)) : -1;
            } catch (NumberFormatException ex) {
                index = -1;
            }
            String field = dot > 0 ? key.substring(dot + 1) : key;
            boolean known = field.equals("step") ? hasStepCount() : names.contains(field);
            if (index < 0 || !known) {
                throw new IllegalArgumentException(name + ".loadStateDict: unexpected key '" + key + "'; this " + name
                        + " expects 'lr' and keys '<parameter index>.<name>' with name in " + expectedFields()
                        + " (was the state saved by another optimizer or with other settings?)");
            }
            if (index >= params.size()) {
                throw new IllegalArgumentException(name + ".loadStateDict: key '" + key + "' is for parameter " + index
                        + ", but this " + name + " has " + params.size() + " parameters");
            }
            perParam.computeIfAbsent(index, k -> new LinkedHashMap<>()).put(field, t);
        }
        State[] loaded = new State[states.length];
        try (var scope = GradMode.noGrad()) {
            for (Map.Entry<Integer, Map<String, Tensor>> e : perParam.entrySet()) {
                int i = e.getKey();
                Map<String, Tensor> fields = e.getValue();
                Tensor p = params.get(i);
                for (String f : expectedFields()) {
                    if (!fields.containsKey(f)) {
                        throw new IllegalArgumentException(name + ".loadStateDict: parameter " + i + " (shape "
                                + Arrays.toString(p.shape()) + ") has state " + fields.keySet() + " but is missing '"
                                + i + "." + f + "'");
                    }
                }
                State s = new State(names.size());
                if (hasStepCount()) {
                    Tensor st = fields.get("step");
                    double v = st.numel() == 1 ? st.item() : Double.NaN;
                    if (!(v >= 0) || v != Math.rint(v) || v > 1L << 53) {
                        throw new IllegalArgumentException(name + ".loadStateDict: '" + i + ".step' must be a scalar"
                                + " holding a whole number >= 0, got " + (st.numel() == 1 ? String.valueOf(v)
                                : "shape " + Arrays.toString(st.shape())));
                    }
                    s.step = (long) v;
                }
                for (int b = 0; b < names.size(); b++) {
                    Tensor t = fields.get(names.get(b));
                    if (t == null) continue;
                    if (!Arrays.equals(t.shape(), p.shape())) {
                        throw new IllegalArgumentException(name + ".loadStateDict: '" + i + "." + names.get(b)
                                + "' has shape " + Arrays.toString(t.shape()) + ", but parameter " + i + " has shape "
                                + Arrays.toString(p.shape()));
                    }
                    if (!t.dtype().isFloating()) {
                        throw new IllegalArgumentException(name + ".loadStateDict: '" + i + "." + names.get(b)
                                + "' is " + t.dtype() + "; optimizer state must be floating point");
                    }
                    Tensor own = p.zerosLike();
                    own.copyFrom(t);
                    s.buffers[b] = own;
                }
                loaded[i] = s;
            }
        }
        System.arraycopy(loaded, 0, states, 0, states.length);
        lr = newLr;
    }

    private List<String> expectedFields() {
        List<String> f = new ArrayList<>(bufferNames());
        if (hasStepCount()) f.add("step");
        return f;
    }

    /** Scalar tensor helper: v in the dtype of t. */
    static Tensor scalarOf(Tensor t, double v) {
        return Tensor.scalar(t.dtype(), v);
    }
}
