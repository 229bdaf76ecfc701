package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise;
import dev.nabla.kernel.Elementwise.Binary;
import dev.nabla.kernel.Elementwise.Unary;
import dev.nabla.kernel.FusedLoop;
import dev.nabla.kernel.KernelProvider;
import dev.nabla.kernel.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An elementwise expression of several tensors, evaluated in one pass over memory: the pointwise
 * fusion of {@code torch.compile} and {@code jax.jit}, written down instead of traced. The chain
 * {@code (x·a + b).tanh()·c} run op by op reads and writes 11 arrays (and allocates 4); fused, it
 * reads the 4 inputs once and writes the result once. In float32 with the SIMD kernels, an
 * expression of the operations they stage (+, −, ·, /, max, min, abs, sqrt, relu, tanh, exp, log,
 * sigmoid, none of the last four applied to another's result: the kernels' StagedLoops) is
 * compiled into one vector loop of its own, every intermediate in a register; other expressions run
 * step by step over chunks of 128 elements, the intermediates in small buffers that stay in L1 (the
 * bench's chain on 16M floats into an existing tensor, 2 threads, one process alternating the two:
 * 13.6 ms against 21.6, faster in 12 of 12 rounds). The loop is compiled once the expression has
 * run on a million elements, and warmed on a background thread until the JIT has compiled it in
 * turn; the calls run the chunked steps until then (0.2–0.4 s on 2 cores here, 1.5 s for the first
 * one in a JVM that has just started; a warm-up that gives up is tried again later).
 *
 * <pre>{@code
 * Pointwise chain = Pointwise.of(4, v -> v[0].mul(v[1]).add(v[2]).tanh().mul(v[3]));
 * Tensor y = chain.apply(x, a, b, c);   // bitwise x.mul(a).add(b).tanh().mul(c)
 * }</pre>
 *
 * <p>Each element goes through the same kernels, in the same order, as the tensor ops the
 * expression names, so the result is bitwise theirs, whatever the thread count. The fused pass
 * covers inputs of one floating type, each contiguous of the result's shape or a single value;
 * anything else (other strides, broadcasting along some dimensions, mixed types) and any call that
 * must record gradients runs the tensor ops one by one instead: the same values, and gradients as
 * for the ops written out.
 */
public final class Pointwise {
    private static final Elementwise EW = KernelProvider.get().elementwise();
    /**
     * Elements per step of the fused pass: the intermediates (a few buffers of this size) stay in
     * L1, and each input is read 128 elements at a time. Larger steps read the inputs in turn in long
     * runs, with fewer cache misses under way at once: (x·a + b)·c on 16M floats, one thread, took
     * 30 ms in steps of 1024 against 13 ms for a plain loop; in steps of 128 it takes 22, and the
     * chain with tanh of the elementwise bench 46 instead of 52 (24 and 27 ms on two threads).
     * Steps of 64 paid more per step than they gained.
     */
    private static final int CHUNK = 128;

    private final int arity;
    private final Expr root;
    /** The expression's nodes, operands before their users (each once), the root last. */
    private final List<Expr> program = new ArrayList<>();
    /** The number of buffers (slots) the intermediates of a chunk take. */
    private final int slots;
    /**
     * The fused pass's program, flattened so that a chunk runs its steps without looking at the
     * expression: step s applies {@code stepUnary[s]} (or {@code stepBinary[s]}) to the arrays of
     * table entries {@code stepA[s]} (and {@code stepB[s]}), writing entry {@code stepDst[s]}. The
     * table holds the inputs, the buffer slots, the result, then the constants ({@code constant}).
     */
    private final Unary[] stepUnary;
    private final Binary[] stepBinary;
    private final int[] stepA, stepB, stepDst;
    private final double[] constant;
    /**
     * The float32 program compiled into one vector loop ({@link Elementwise#compile}), by which of
     * the inputs are single values (bit k for input k): the program's shared one ({@link #SHARED}).
     */
    private final Map<BitSet, Loop> loops = new ConcurrentHashMap<>();
    /**
     * Compiles and warms the loops, one after the other, off the callers' threads. A new loop runs in
     * the interpreter until the JIT has compiled it: taken at once, as before, the first two or three
     * calls of each new expression on 1M floats took 80–370 ms each, against 4–14 ms in chunked
     * steps; on 16M floats the first call compiled it itself and only it was slow. So the callers run
     * the chunked steps, whose kernels the JIT has compiled already, until the loop is warm.
     */
    private static final ExecutorService WARMING = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nabla-pointwise-warmup");
        t.setDaemon(true);
        return t;
    });
    /**
     * Elements a pattern's calls run in chunked steps before its loop is compiled: an expression
     * applied once or twice to small tensors (a test, a script) costs no compilation, one applied to
     * 16M floats starts it at the first call.
     */
    private static final long WARM_AFTER = 1L << 20;
    /**
     * Calls of the loop on one vector before it is timed: past the JIT's threshold for compiling it
     * with C2 (5,000 invocations), cheap while it still runs in the interpreter.
     */
    private static final int WARM_MIN_CALLS = 6000;
    /** Elements of the timed rounds' inputs: enough that the loop's time, not the call's, is measured; in L1. */
    private static final int WARM_LENGTH = 2048;
    /** Calls of each kind per timed round. */
    private static final int WARM_CALLS = 32;
    /** Consecutive rounds in which the loop must be at most 10% slower than the chunked steps. */
    private static final int WARM_WINS = 3;
    /**
     * A warm-up gives up after this long (the JIT has not compiled the loop yet, its queue long on a
     * busy machine, or not into faster code); the program warms again after {@link #RETRY_FACTOR}
     * times as many elements as the last time. Not final: a test shortens it.
     */
    static long warmNanos = 5_000_000_000L;
    private static final int RETRY_FACTOR = 8;

    /**
     * The loops of every expression by its program (its nodes, which inputs are single values
     * among them), so that a Pointwise made anew for each call (in a layer's forward, say) finds
     * its expression's loop compiled and warm instead of compiling one of its own every time. Up to
     * {@link #SHARED_MAX} programs, as each holds a hidden class and its compiled code for good (a
     * program whose constant changes every step is a new one each step; the bench's chain, warmed,
     * took 139 KB of code cache and 18 KB of metaspace, and the code cache holds 240 MB): past
     * them, an expression keeps its loops to itself, and they go with it.
     */
    private static final Map<List<FusedLoop.Node>, Loop> SHARED = new ConcurrentHashMap<>();
    private static final int SHARED_MAX = 256;

    /** A program's loop: the elements its calls ran before its warm-up, then the warm-up's outcome. */
    private static final class Loop {
        private final List<FusedLoop.Node> nodes;
        private final BitSet single;
        /** The expression whose chunked steps the warm-up times the loop against (any of the program's). */
        private final Pointwise owner;
        private final AtomicLong elements = new AtomicLong();
        /** Elements after which the (next) warm-up starts. */
        private volatile long after = WARM_AFTER;
        private volatile CompletableFuture<Optional<FusedLoop>> warm;

        Loop(List<FusedLoop.Node> nodes, BitSet single, Pointwise owner) {
            this.nodes = nodes;
            this.single = single;
            this.owner = owner;
        }

        // the loop if warm, else null (the call runs the chunked steps), counting n elements towards the next warm-up
        FusedLoop forCall(int n) {
            CompletableFuture<Optional<FusedLoop>> w = warm;
            if (w == null) {
                if (elements.addAndGet(n) >= after) start();
                return null;
            }
            return w.getNow(Optional.empty()).orElse(null);
        }

        synchronized CompletableFuture<Optional<FusedLoop>> start() {
            if (warm == null) {
                warm = CompletableFuture.supplyAsync(() -> {
                    Optional<FusedLoop> loop = owner.warm(nodes, single);
                    if (loop == null) retryLater();
                    return loop == null ? Optional.<FusedLoop>empty() : loop;
                }, WARMING).exceptionally(e -> Optional.empty());
            }
            return warm;
        }

        // a warm-up that gave up: the calls count their elements again, towards a higher mark
        private synchronized void retryLater() {
            elements.set(0);
            after *= RETRY_FACTOR;
            warm = null;
        }
    }

    private Pointwise(int arity, Expr root) {
        this.arity = arity;
        this.root = root;
        order(root, new IdentityHashMap<>());
        // buffer slots: a node's slot is free again once its last user has run
        int[] lastUse = new int[program.size()];
        for (int i = 0; i < program.size(); i++) {
            for (Expr o : program.get(i).operands()) lastUse[o.index] = i;
        }
        int[] slot = new int[program.size()];
        List<Integer> free = new ArrayList<>();
        int used = 0;
        for (int i = 0; i < program.size(); i++) {
            Expr e = program.get(i);
            if ((e.kind == Kind.UNARY || e.kind == Kind.BINARY) && e != root) { // the root writes the result
                slot[i] = free.isEmpty() ? used++ : free.remove(free.size() - 1);
            }
            for (Expr o : e.operands()) {
                if (lastUse[o.index] == i && (o.kind == Kind.UNARY || o.kind == Kind.BINARY) && !free.contains(slot[o.index])) {
                    free.add(slot[o.index]);
                }
            }
        }
        slots = used;
        int[] entry = new int[program.size()];
        List<Double> constants = new ArrayList<>();
        List<Expr> ops = new ArrayList<>();
        for (Expr e : program) {
            entry[e.index] = switch (e.kind) {
                case INPUT -> e.input;
                case CONST -> {
                    constants.add(e.constant);
                    yield result() + constants.size();
                }
                default -> {
                    ops.add(e);
                    yield e == root ? result() : arity + slot[e.index];
                }
            };
        }
        constant = constants.stream().mapToDouble(Double::doubleValue).toArray();
        stepUnary = new Unary[ops.size()];
        stepBinary = new Binary[ops.size()];
        stepA = new int[ops.size()];
        stepB = new int[ops.size()];
        stepDst = new int[ops.size()];
        for (int s = 0; s < ops.size(); s++) {
            Expr e = ops.get(s);
            stepUnary[s] = e.unary;
            stepBinary[s] = e.binary;
            stepA[s] = entry[e.a.index];
            stepB[s] = e.b == null ? -1 : entry[e.b.index];
            stepDst[s] = entry[e.index];
        }
    }

    // the result's entry in the fused pass's table: after the inputs and the buffers
    private int result() {
        return arity + slots;
    }

    /**
     * The expression {@code body} builds from {@code arity} inputs ({@code v[0]} … {@code v[arity − 1]}),
     * ready to apply to tensors.
     */
    public static Pointwise of(int arity, Function<Expr[], Expr> body) {
        if (arity < 1) throw new IllegalArgumentException("Pointwise.of: arity " + arity + " must be >= 1");
        Object owner = new Object();
        Expr[] inputs = new Expr[arity];
        for (int i = 0; i < arity; i++) inputs[i] = new Expr(owner, Kind.INPUT, null, null, i, 0, null, null);
        Expr root = body.apply(inputs);
        if (root == null) throw new IllegalArgumentException("Pointwise.of: the body returned null instead of an expression of its inputs");
        if (root.owner != owner) {
            throw new IllegalArgumentException("Pointwise.of: the body returned an expression of another Pointwise's inputs;"
                    + " build it from the Expr[] it is given");
        }
        return new Pointwise(arity, root);
    }

    /** The number of inputs {@link #apply} takes. */
    public int arity() {
        return arity;
    }

    /**
     * The expression on these inputs, broadcast together as the tensor ops do: a new tensor (or
     * the input itself, when the expression is just one of its inputs).
     */
    public Tensor apply(Tensor... inputs) {
        int[] shape = resultShape("Pointwise.apply", inputs);
        return fusable(inputs, shape) ? fused(inputs, Tensor.uninitialized(inputs[0].dtype(), shape)) : eager(inputs);
    }

    /**
     * The expression on these inputs written into {@code out}, which it returns: {@link #apply}'s
     * values without a new tensor, so that a loop applying it again and again allocates nothing (the
     * JVM zeroes a fresh array, in memory not in cache: the elementwise bench's chain on 16M floats,
     * best of 50 calls on 2 threads, took 16.5 ms into an existing array against 18.9–19.6 ms for
     * apply, in three processes). {@code out} must be contiguous, of the inputs' broadcast shape and of
     * the result's type; it may be one of the inputs exactly (an update in place) but share no other
     * memory with them. Like the other in-place ops it records no gradient: it refuses while gradients
     * are recorded for out or an input.
     */
    public Tensor applyInto(Tensor out, Tensor... inputs) {
        String op = "Pointwise.applyInto";
        int[] shape = resultShape(op, inputs);
        if (out == null) throw new IllegalArgumentException(op + ": out is null");
        InPlace.checkInPlace(out, op);
        for (int i = 0; i < arity; i++) {
            Tensor t = inputs[i];
            if (t.requiresGrad() && GradMode.isEnabled()) {
                throw new IllegalStateException(op + ": input " + i + " requires grad and gradients are recorded; an update"
                        + " in place records none: use apply, or run it inside GradMode.noGrad()");
            }
            if (t.storage == out.storage && !(t.offset == out.offset && t.isContiguous() && Arrays.equals(t.shape, out.shape))) {
                throw new IllegalArgumentException(op + ": input " + i + " " + Shape.str(t.shape) + " shares memory with out "
                        + Shape.str(out.shape) + " without being it; pass a copy of it (or out itself)");
            }
        }
        if (!Arrays.equals(out.shape, shape)) {
            throw new IllegalArgumentException(op + ": out is " + Shape.str(out.shape) + ", the inputs give "
                    + Shape.str(shape));
        }
        if (!out.isContiguous()) {
            throw new IllegalArgumentException(op + ": out " + Shape.str(out.shape) + " is not contiguous; pass a"
                    + " contiguous tensor (e.g. Tensor.zeros of that shape)");
        }
        if (fusable(inputs, shape) && out.dtype() == inputs[0].dtype()) {
            fused(inputs, out);
        } else {
            Tensor result;
            try (var s = GradMode.noGrad()) {
                result = eager(inputs);
            }
            if (result.dtype() != out.dtype()) {
                throw new IllegalArgumentException(op + ": out is " + out.dtype() + ", the result " + result.dtype()
                        + "; pass an out of the result's type");
            }
            Compute.copy(result, out);
        }
        out.storage.bumpVersion();
        return out;
    }

    // the inputs' broadcast shape, after checking their number and that none is null
    private int[] resultShape(String op, Tensor[] inputs) {
        if (inputs.length != arity) {
            throw new IllegalArgumentException(op + ": takes " + arity + " tensors, got " + inputs.length);
        }
        for (int i = 0; i < arity; i++) {
            if (inputs[i] == null) throw new IllegalArgumentException(op + ": input " + i + " is null");
        }
        int[] shape = inputs[0].shape;
        for (Tensor t : inputs) shape = Shape.broadcast(op, shape, t.shape);
        return shape;
    }

    private boolean fusable(Tensor[] inputs, int[] shape) {
        DType dt = inputs[0].dtype();
        if (!dt.isFloating() || root.kind == Kind.INPUT) return false;
        for (Tensor t : inputs) {
            if (t.dtype() != dt || (t.requiresGrad() && GradMode.isEnabled())) return false;
            if (t.numel() != 1 && !(t.isContiguous() && Arrays.equals(t.shape, shape))) return false;
        }
        return true;
    }

    // The tensor ops one by one (each node once): the reference, and the path for everything the fused pass does not cover.
    private Tensor eager(Tensor[] inputs) {
        Tensor[] value = new Tensor[program.size()];
        for (int i = 0; i < program.size(); i++) {
            Expr e = program.get(i);
            value[i] = switch (e.kind) {
                case INPUT -> inputs[e.input];
                case CONST -> null; // read by its user, as the tensor op's scalarLike
                case UNARY -> unaryOp(e.unary, value[e.a.index]);
                case BINARY -> e.b.kind == Kind.CONST ? constantOp(e.binary, value[e.a.index], e.b.constant)
                        : binaryOp(e.binary, value[e.a.index], value[e.b.index]);
            };
        }
        return value[root.index];
    }

    private static Tensor unaryOp(Unary op, Tensor x) {
        return switch (op) {
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case ABS -> x.abs();
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case RELU -> x.relu();
            case SIN -> x.sin();
            case COS -> x.cos();
            default -> throw new IllegalStateException("Pointwise: no unary " + op);
        };
    }

    private static Tensor binaryOp(Binary op, Tensor x, Tensor y) {
        return switch (op) {
            case ADD -> x.add(y);
            case SUB -> x.sub(y);
            case MUL -> x.mul(y);
            case DIV -> x.div(y);
            case MAX -> x.maximum(y);
            default -> throw new IllegalStateException("Pointwise: no binary " + op);
        };
    }

    // x op c, as the tensor op with a double (c held in x's type, stride 0)
    private static Tensor constantOp(Binary op, Tensor x, double c) {
        return op == Binary.POW ? x.pow(c) : binaryOp(op, x, x.scalarLike(c));
    }

    /*
     * One pass into out (contiguous, of the inputs' type): the whole vectors through loop when there
     * is one, the rest in chunks, each task walking its range and running the steps over each chunk.
     */
    private Tensor fused(Tensor[] inputs, Tensor out, FusedLoop loop) {
        DType dt = inputs[0].dtype();
        int n = out.numel(), y = result();
        // per table entry: its array, and the offset and stride of element i there (base + i·move,
        // stride); the buffers' arrays are each task's own, the constants' stride 0
        Object[] shared = new Object[y + 1 + constant.length];
        int[] base = new int[shared.length], move = new int[shared.length], stride = new int[shared.length];
        for (int i = 0; i < arity; i++) {
            shared[i] = dt == DType.FLOAT32 ? inputs[i].storage.f() : inputs[i].storage.d();
            base[i] = inputs[i].offset;
            move[i] = stride[i] = inputs[i].numel() == 1 ? 0 : 1;
        }
        for (int k = arity; k <= y; k++) stride[k] = 1;
        shared[y] = dt == DType.FLOAT32 ? out.storage.f() : out.storage.d();
        base[y] = out.offset;
        move[y] = 1;
        for (int k = 0; k < constant.length; k++) {
            shared[y + 1 + k] = dt == DType.FLOAT32 ? new float[] {(float) constant[k]} : new double[] {constant[k]};
        }
        Parallel.RangeBody body = (from, to) -> {
            Object[] arrays = shared.clone();
            for (int k = arity; k < y; k++) arrays[k] = dt == DType.FLOAT32 ? new float[CHUNK] : new double[CHUNK];
            for (int c0 = from; c0 < to; c0 += CHUNK) {
                int len = Math.min(CHUNK, to - c0);
                for (int s = 0; s < stepDst.length; s++) {
                    int a = stepA[s], d = stepDst[s];
                    if (stepUnary[s] != null) {
                        unary(stepUnary[s], arrays[a], base[a] + c0 * move[a], stride[a], arrays[d], base[d] + c0 * move[d], len);
                    } else {
                        int b = stepB[s];
                        binary(stepBinary[s], arrays[a], base[a] + c0 * move[a], stride[a], arrays[b], base[b] + c0 * move[b],
                                stride[b], arrays[d], base[d] + c0 * move[d], len);
                    }
                }
            }
        };
        if (loop != null) { // whole vectors in the compiled loop, the last few elements in chunk steps
            float[][] arrays = new float[arity][];
            int[] offsets = new int[arity];
            for (int i = 0; i < arity; i++) {
                arrays[i] = inputs[i].storage.f();
                offsets[i] = inputs[i].offset;
            }
            float[] yf = out.storage.f();
            int lanes = loop.lanes(), vectors = n / lanes;
            Parallel.RangeBody whole = (v0, v1) -> loop.run(arrays, offsets, yf, out.offset, v0 * lanes, v1 * lanes);
            if (n <= Runs.GRAIN) whole.run(0, vectors);
            else Parallel.forRange(vectors, Runs.GRAIN / lanes, whole);
            if (vectors * lanes < n) body.run(vectors * lanes, n);
        } else if (n <= Runs.GRAIN) {
            if (n > 0) body.run(0, n);
        } else {
            Parallel.forRange(n, Runs.GRAIN, body);
        }
        return out;
    }

    // The fused pass, through the compiled loop for these inputs once it is warm, else in chunked steps.
    private Tensor fused(Tensor[] inputs, Tensor out) {
        boolean f32 = inputs[0].dtype() == DType.FLOAT32;
        return fused(inputs, out, f32 ? loop(inputs).forCall(out.numel()) : null);
    }

    private Loop loop(Tensor[] inputs) {
        return loops.computeIfAbsent(single(inputs), single -> {
            List<FusedLoop.Node> nodes = nodes(single);
            Loop shared = SHARED.size() < SHARED_MAX ? SHARED.computeIfAbsent(nodes, k -> new Loop(k, single, this)) : SHARED.get(nodes);
            return shared != null ? shared : new Loop(nodes, single, this);
        });
    }

    /** The warm-up of the loop for these float32 inputs, started now if it was not: done when it is over. */
    CompletableFuture<Optional<FusedLoop>> warmUp(Tensor... inputs) {
        return loop(inputs).start();
    }

    /** Compiles a loop for these float32 inputs that this expression's calls take at once, unwarmed (for tests). */
    void compileNow(Tensor... inputs) {
        BitSet single = single(inputs);
        Loop own = new Loop(nodes(single), single, this);
        own.warm = CompletableFuture.completedFuture(Optional.ofNullable(EW.compile(own.nodes)));
        loops.put(single, own);
    }

    private BitSet single(Tensor[] inputs) {
        BitSet single = new BitSet(arity);
        for (int i = 0; i < arity; i++) single.set(i, inputs[i].numel() == 1);
        return single;
    }

    private List<FusedLoop.Node> nodes(BitSet single) {
        List<FusedLoop.Node> nodes = new ArrayList<>();
        for (Expr e : program) {
            nodes.add(switch (e.kind) {
                case INPUT -> FusedLoop.Node.input(e.input, single.get(e.input));
                case CONST -> FusedLoop.Node.constant((float) e.constant);
                case UNARY -> FusedLoop.Node.unary(e.unary, e.a.index);
                case BINARY -> FusedLoop.Node.binary(e.binary, e.a.index, e.b.index);
            });
        }
        return nodes;
    }

    /*
     * Compiles the loop and has the JIT compile it in turn: WARM_MIN_CALLS calls on one vector, then
     * rounds timing it against the chunked steps on WARM_LENGTH elements until it has kept up with
     * them in WARM_WINS rounds in a row (the interpreted loop, or C1's, which boxes every vector, is
     * many times slower). Empty when the kernels do not stage the program; null when the loop did not
     * keep up within warmNanos.
     */
    private Optional<FusedLoop> warm(List<FusedLoop.Node> nodes, BitSet single) {
        FusedLoop loop = EW.compile(nodes);
        if (loop == null) return Optional.empty();
        Tensor[] in = new Tensor[arity];
        float[][] arrays = new float[arity][];
        for (int i = 0; i < arity; i++) {
            float[] v = new float[single.get(i) ? 1 : WARM_LENGTH];
            for (int k = 0; k < v.length; k++) v[k] = 0.5f + (k + i) % 7 * 0.125f; // finite, away from 0
            in[i] = Tensor.of(v, v.length);
            arrays[i] = in[i].storage.f();
        }
        Tensor out = Tensor.uninitialized(DType.FLOAT32, new int[] {WARM_LENGTH});
        int[] offsets = new int[arity];
        long start = System.nanoTime();
        for (int c = 0; c < WARM_MIN_CALLS; c++) loop.run(arrays, offsets, out.storage.f(), 0, 0, loop.lanes());
        for (int wins = 0; wins < WARM_WINS; ) {
            if (System.nanoTime() - start > warmNanos) return null;
            long t0 = System.nanoTime();
            for (int c = 0; c < WARM_CALLS; c++) fused(in, out, loop);
            long t1 = System.nanoTime();
            for (int c = 0; c < WARM_CALLS; c++) fused(in, out, null);
            long t2 = System.nanoTime();
            wins = (t1 - t0) * 10 <= (t2 - t1) * 11 ? wins + 1 : 0;
        }
        return Optional.of(loop);
    }

    private static void unary(Unary op, Object x, int xo, int xs, Object y, int yo, int n) {
        if (x instanceof float[] f) EW.unary(op, f, xo, xs, (float[]) y, yo, 1, n);
        else EW.unary(op, (double[]) x, xo, xs, (double[]) y, yo, 1, n);
    }

    private static void binary(Binary op, Object a, int ao, int as, Object b, int bo, int bs, Object y, int yo, int n) {
        if (a instanceof float[] f) EW.binary(op, f, ao, as, (float[]) b, bo, bs, (float[]) y, yo, 1, n);
        else EW.binary(op, (double[]) a, ao, as, (double[]) b, bo, bs, (double[]) y, yo, 1, n);
    }

    // Post-order, each node once: numbers the nodes in program order.
    private void order(Expr e, Map<Expr, Boolean> seen) {
        if (seen.containsKey(e)) return;
        seen.put(e, Boolean.TRUE);
        for (Expr o : e.operands()) order(o, seen);
        e.index = program.size();
        program.add(e);
    }

    private enum Kind { INPUT, CONST, UNARY, BINARY }

    /**
     * A symbolic elementwise value inside {@link Pointwise#of}: an input, or an op of others. Its
     * methods mirror the tensor ops of the same names (and expand to the same primitives: neg is a
     * product with −1, minimum is −max(−x, −y), square is x·x).
     */
    public static final class Expr {
        private final Object owner;
        private final Kind kind;
        private final Unary unary;
        private final Binary binary;
        private final int input;
        private final double constant;
        private final Expr a, b;
        private int index = -1;

        private Expr(Object owner, Kind kind, Unary unary, Binary binary, int input, double constant, Expr a, Expr b) {
            this.owner = owner;
            this.kind = kind;
            this.unary = unary;
            this.binary = binary;
            this.input = input;
            this.constant = constant;
            this.a = a;
            this.b = b;
        }

        private List<Expr> operands() {
            return a == null ? List.of() : b == null ? List.of(a) : List.of(a, b);
        }

        private Expr unary(Unary op) {
            return new Expr(owner, Kind.UNARY, op, null, -1, 0, this, null);
        }

        private Expr binary(Binary op, Expr y) {
            if (y == null) throw new IllegalArgumentException("Pointwise: " + op.name().toLowerCase() + " of a null expression");
            if (y.owner != owner) {
                throw new IllegalArgumentException("Pointwise: " + op.name().toLowerCase()
                        + " mixes the inputs of two Pointwise expressions; build each from the Expr[] it is given");
            }
            return new Expr(owner, Kind.BINARY, null, op, -1, 0, this, y);
        }

        private Expr binary(Binary op, double c) {
            return new Expr(owner, Kind.BINARY, null, op, -1, 0, this, new Expr(owner, Kind.CONST, null, null, -1, c, null, null));
        }

        /** this + y. */
        public Expr add(Expr y) { return binary(Binary.ADD, y); }

        /** this + c. */
        public Expr add(double c) { return binary(Binary.ADD, c); }

        /** this − y. */
        public Expr sub(Expr y) { return binary(Binary.SUB, y); }

        /** this − c. */
        public Expr sub(double c) { return binary(Binary.SUB, c); }

        /** this · y. */
        public Expr mul(Expr y) { return binary(Binary.MUL, y); }

        /** this · c. */
        public Expr mul(double c) { return binary(Binary.MUL, c); }

        /** this / y. */
        public Expr div(Expr y) { return binary(Binary.DIV, y); }

        /** this / c. */
        public Expr div(double c) { return binary(Binary.DIV, c); }

        /** this to the power p. */
        public Expr pow(double p) { return binary(Binary.POW, p); }

        /** The larger of this and y. */
        public Expr maximum(Expr y) { return binary(Binary.MAX, y); }

        /** The smaller of this and y: −max(−this, −y), as {@link Tensor#minimum}. */
        public Expr minimum(Expr y) { return neg().maximum(y.neg()).neg(); }

        /** −this: this · (−1), as {@link Tensor#neg}. */
        public Expr neg() { return mul(-1); }

        /** this · this. */
        public Expr square() { return mul(this); }

        /** e^this. */
        public Expr exp() { return unary(Unary.EXP); }

        /** The natural logarithm. */
        public Expr log() { return unary(Unary.LOG); }

        /** The square root. */
        public Expr sqrt() { return unary(Unary.SQRT); }

        /** The absolute value. */
        public Expr abs() { return unary(Unary.ABS); }

        /** 1 / (1 + e^−this). */
        public Expr sigmoid() { return unary(Unary.SIGMOID); }

        /** The hyperbolic tangent. */
        public Expr tanh() { return unary(Unary.TANH); }

        /** max(this, 0). */
        public Expr relu() { return unary(Unary.RELU); }

        /** The sine. */
        public Expr sin() { return unary(Unary.SIN); }

        /** The cosine. */
        public Expr cos() { return unary(Unary.COS); }
    }
}
