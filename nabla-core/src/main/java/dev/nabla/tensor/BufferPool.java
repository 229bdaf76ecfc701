package dev.nabla.tensor;

import java.lang.ref.SoftReference;
import java.lang.reflect.Array;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Arrays of gradients a backward pass has consumed, given to the pass's next tensors of the same
 * length instead of fresh ones: an output's gradient is dead once its node's rule has turned it
 * into its inputs' gradients, so in a stack of layers of one width each layer's gradient takes the
 * array of the one before. On the JVM a fresh array of a few megabytes is a "humongous" object,
 * allocated outside the young generation, that G1 may grow the heap for before it collects.
 *
 * <p>Only an array allocated during the pass (on its thread, not in a nested pass) is released,
 * and only through the tensor it was allocated for, not a view: a gradient a leaf keeps, a hook
 * sees, the caller gets back, or a rule hands on as its input's gradient (itself or a view) is
 * kept out of it. The derivative rules keep no reference to the gradient they are given beyond
 * their call (a user's rule may: its gradients are never pooled). A reused array is zeroed first,
 * so a tensor from the pool is exactly what {@link Tensor#empty} gives. What a pass released and
 * did not reuse serves the next step ({@link #CARRIED}).
 *
 * <p>The activations of a layer stack are the other half of a step's arrays: a layer's output
 * that only the tape reads ({@link #onlyTheTapeReads}) is dead once the backward pass has released
 * the nodes that keep it, and its array serves the gradients of that pass (of the same shapes) or
 * the next forward pass's tensors. A node counts itself on each array it keeps
 * ({@link Storage#holders}). Only arrays of {@link #CARRY_MIN_LENGTH} elements and more are
 * reclaimed so, or carried from a step to the next.
 *
 * <p>Arrays cross from a step to the next, a gradient that backward stored and zeroGrad cleared
 * ({@link Tensor#setGrad} with null) among them, while still its sole holder, because no caller
 * was given it ({@link Tensor#grad()} or a hook hands it out for good; nabla's optimizers, clipping
 * and monitors read it without). The next step, on any thread, takes them: its forward pass's
 * tensors first, its backward pass the rest. Where PyTorch frees a cleared gradient at once, the
 * JVM keeps a dead one until a collection, so it lies in the heap through the forward pass either
 * way; reused, it is not allocated again. VGG16 at batch 2 (553 MB of gradients): 1,074 → 537 MB
 * allocated a step, peak RSS 3.9 → 2.6–3.1 GB, the same time.
 *
 * <p>The forward pass has one such offer too: {@link #overwriting} lets an activation write its
 * result over its dead input (Sequential uses it after a convolution, linear or batch norm layer).
 */
final class BufferPool {
    /**
     * Below this many elements a fresh array is as cheap as a lookup (and never a humongous object).
     * The system property nabla.poolMinLength overrides it: the test run that pools every array sets 1.
     */
    static final int MIN_LENGTH = Math.max(1, Integer.getInteger("nabla.poolMinLength", 1 << 12));
    private static final ThreadLocal<BufferPool> POOLS = ThreadLocal.withInitial(BufferPool::new);
    /**
     * Dead arrays for the next step, on any thread: the gradients zeroGrad cleared ({@link #recycle}),
     * what a pass released and did not reuse, and the activations only the tape read
     * ({@link #onlyTheTapeReads}). A forward pass's new tensors take them by length; a backward pass
     * takes the rest, and leaves what it did not use to the next one, up to {@link #PASSES} passes
     * (a GAN's step has two: an array that serves the discriminator's waits through the generator's).
     * Softly held, so that the collector may take them back if no step comes, and never more than an
     * eighth of the heap.
     */
    private static final Map<Long, ArrayDeque<Spare>> CARRIED = new HashMap<>();
    /**
     * Shorter arrays are not carried, nor activations reclaimed: a fresh one is cheap, and a dead one
     * the collector need not copy. The mlp protocol's (128 × 256 and 128 × 128 floats) were slower to
     * train with them (4 of 4 alternated pairs of processes; then 1 of 4 without). The test run that
     * pools every array sets nabla.carryMinLength=1.
     */
    static final int CARRY_MIN_LENGTH = Math.max(MIN_LENGTH, Integer.getInteger("nabla.carryMinLength", 1 << 16));
    /**
     * Whether a reused array handed out unzeroed ({@link #allocate} with zeroed false) is filled with
     * NaN (Long.MIN_VALUE for int64) first: the test run that pools every array sets
     * nabla.poisonUnzeroed=true, so that an op which reads an element it has not written fails its
     * fixture instead of reading another tensor's values.
     */
    private static final boolean POISON_UNZEROED = Boolean.getBoolean("nabla.poisonUnzeroed");
    private static final int PASSES = 2;
    private static final long CARRIED_MAX_BYTES = Runtime.getRuntime().maxMemory() / 8;
    private static long carriedBytes;

    /** A dead array, softly held, and how many backward passes have left it unused. */
    private static final class Spare extends SoftReference<Object> {
        final int passes;

        Spare(Object array, int passes) {
            super(array);
            this.passes = passes;
        }
    }

    /** The arrays the running pass has released, by dtype and length. */
    private final Map<Long, ArrayDeque<Object>> free = new HashMap<>();
    /** The carried arrays the running pass took when it began, by dtype and length. */
    private final Map<Long, ArrayDeque<Spare>> inherited = new HashMap<>();
    /** The innermost running pass on this thread, or null. */
    private Pass running;
    /** How many arrays the pool has given out again, and how many gradients rules have written over (for tests). */
    private long reused, overwritten;
    /** The input an activation may write its result over ({@link #overwriting}), or null; how many did (for tests). */
    private Tensor deadInput;
    private long overwrittenInputs;
    /** How many arrays of intermediates this thread gave to the pool (for tests). */
    private long reclaimed;

    /** One backward pass: what it allocates it may release. */
    static final class Pass implements AutoCloseable {
        private final BufferPool pool;
        private final Pass outer;

        /** The gradient a running rule may overwrite ({@link BufferPool#overwrite}), or null. */
        private Tensor offered;

        private Pass(BufferPool pool, Pass outer) {
            this.pool = pool;
            this.outer = outer;
        }

        /**
         * While a node's rule runs, offers its output's gradient g to be overwritten by the rule's
         * elementwise result when nothing else will read g: the pass allocated it for g (no hook,
         * retained grad or caller holds it) and the node has one input to differentiate. Only
         * rules that read each element before writing the same element take the offer.
         */
        void offer(Tensor g) {
            Storage s = g.storage;
            offered = s.pass == this && s.owner == g && g.offset == 0 && g.isContiguous() ? g : null;
        }

        /** Ends the offer of {@link #offer}. */
        void withdraw() {
            offered = null;
        }

        /** Gives t's array to the pool when this pass allocated it for t; afterwards t must not be read. */
        void release(Tensor t) {
            Storage s = t.storage;
            if (s.pass != this || s.owner != t) return;
            s.pass = null;
            s.owner = null;
            if (t.numel() >= MIN_LENGTH) pool.free.computeIfAbsent(key(s.dtype, t.numel()), k -> new ArrayDeque<>()).push(s.array);
        }

        @Override
        public void close() {
            pool.running = outer;
            if (outer == null) {
                for (ArrayDeque<Object> q : pool.free.values()) for (Object a : q) carry(a, 0);
                for (ArrayDeque<Spare> q : pool.inherited.values()) {
                    for (Spare spare : q) {
                        Object a = spare.get();
                        if (a != null && spare.passes + 1 < PASSES) carry(a, spare.passes + 1);
                    }
                }
                pool.free.clear();
                pool.inherited.clear();
            }
        }
    }

    /** Starts a pass on this thread. */
    static Pass open() {
        BufferPool p = POOLS.get();
        if (p.running == null) {
            synchronized (CARRIED) {
                CARRIED.forEach((key, q) -> p.inherited.computeIfAbsent(key, k -> new ArrayDeque<>()).addAll(q));
                CARRIED.clear();
                carriedBytes = 0;
            }
        }
        return p.running = new Pass(p, p.running);
    }

    /**
     * A storage of n elements, on a dead array of that length when the pool has one: one the
     * running pass released or took when it began, or outside a pass a carried one. An array shorter than {@link #MIN_LENGTH} is always fresh, but belongs to the pass all
     * the same, so that a rule may still write over it ({@link Pass#offer}): the Runge net's
     * tanh and sigmoid gradients, 39×20 floats, were 15% of what its training allocated.
     * Zeroed when {@code zeroed}; otherwise a reused array keeps its old values, for an op that
     * writes every element (a fresh array is zeroed by the JVM either way): clearing reused arrays
     * on the calling thread (the first convolution's 12.8 MB output, max pooling's and its
     * gradient's) was 5% of the cnn protocol's profile, 0.4% once only the accumulating ops asked.
     */
    static Storage allocate(DType dtype, int n, boolean zeroed) {
        BufferPool p = POOLS.get();
        Object array = null;
        if (n >= MIN_LENGTH) {
            long key = key(dtype, n);
            if (p.running == null) {
                array = n < CARRY_MIN_LENGTH ? null : takeCarried(key);
            } else {
                ArrayDeque<Object> q = p.free.get(key);
                array = q == null ? null : q.poll();
                if (array == null) array = take(p.inherited.get(key));
            }
        }
        Storage s;
        if (array == null) {
            s = new Storage(dtype, n);
        } else {
            if (zeroed || POISON_UNZEROED) {
                switch (dtype) {
                    case FLOAT32 -> Arrays.fill((float[]) array, zeroed ? 0f : Float.NaN);
                    case FLOAT64 -> Arrays.fill((double[]) array, zeroed ? 0d : Double.NaN);
                    case INT64 -> Arrays.fill((long[]) array, zeroed ? 0L : Long.MIN_VALUE);
                }
            }
            s = new Storage(dtype, array);
            p.reused++;
        }
        s.pass = p.running;
        return s;
    }

    // the first array of q the collector has not taken back, or null
    private static Object take(ArrayDeque<Spare> q) {
        while (q != null && !q.isEmpty()) {
            Object a = q.pop().get();
            if (a != null) return a;
        }
        return null;
    }

    private static Object takeCarried(long key) {
        synchronized (CARRIED) {
            ArrayDeque<Spare> q = CARRIED.get(key);
            int before = q == null ? 0 : q.size();
            Object a = take(q);
            if (q != null) carriedBytes -= (before - q.size()) * bytes(key);
            return a;
        }
    }

    private static void carry(Object array, int passes) {
        if (Array.getLength(array) < CARRY_MIN_LENGTH) return;
        long key = key(array);
        synchronized (CARRIED) {
            if (carriedBytes + bytes(key) > CARRIED_MAX_BYTES) { // arrays no step took: a fresh start
                CARRIED.clear();
                carriedBytes = 0;
            }
            CARRIED.computeIfAbsent(key, k -> new ArrayDeque<>()).push(new Spare(array, passes));
            carriedBytes += bytes(key);
        }
    }

    /**
     * Marks the arrays (of {@link #CARRY_MIN_LENGTH} elements or more) of a layer stack's
     * intermediates, the tensors it handed from one of nabla's layers to the next (passed[i] is what layer i took, passed[n] the output; plain[i] whether
     * layer i keeps no tensor it takes or gives), as read by nothing but the nodes of the tape that
     * keep them (a derivative rule's saved input or output): once the backward pass has released
     * the last of those nodes, or at once when none keeps one, the array goes to the pool for the
     * next tensor of its length, in that pass or the next step's forward pass, instead of waiting
     * for the collector. An array that an exposed tensor also lies on (the stack's input or output,
     * what another layer took or gave: a view, an activation written over its input) is never marked.
     */
    static void onlyTheTapeReads(Tensor[] passed, boolean[] plain) {
        int n = plain.length;
        boolean any = false; // a small net's are all shorter than CARRY_MIN_LENGTH
        for (int i = 1; i < n; i++) any |= plain[i - 1] && plain[i] && passed[i].numel() >= CARRY_MIN_LENGTH;
        if (!any) return;
        Set<Storage> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(passed[0].storage);
        seen.add(passed[n].storage);
        for (int i = 0; i < n; i++) {
            if (plain[i]) continue;
            seen.add(passed[i].storage);
            seen.add(passed[i + 1].storage);
        }
        for (int i = 1; i < n; i++) {
            Tensor t = passed[i];
            Storage s = t.storage;
            if (!plain[i - 1] || !plain[i] || !seen.add(s) || s.array == null || s.graphOnly || s.pass != null
                    || s.owner != null || Array.getLength(s.array) < CARRY_MIN_LENGTH || t.gradFn == null && t.requiresGrad()) {
                continue;
            }
            if (s.holders == 0) reclaim(s);
            else s.graphOnly = true;
        }
    }

    /** A node that kept a tensor over s has been released: the last one gives a marked array to the pool. */
    static void unhold(Storage s) {
        if (--s.holders == 0 && s.graphOnly) reclaim(s);
    }

    private static void reclaim(Storage s) {
        Object a = s.array;
        s.graphOnly = false;
        s.array = null; // a stray read of a tensor over it fails instead of reading another tensor's values
        BufferPool p = POOLS.get();
        p.reclaimed++;
        if (p.running != null) p.free.computeIfAbsent(key(a), k -> new ArrayDeque<>()).push(a);
        else carry(a, 0);
    }

    /** How many arrays of intermediates this thread has given to the pool (for tests). */
    static long reclaimed() {
        return POOLS.get().reclaimed;
    }

    /**
     * A tensor of g's shape on g's own array when the running pass offered g ({@link Pass#offer}),
     * which becomes its owner (g must not be read after the caller has written an element), else
     * null. An elementwise backward writes its result there instead of into a fresh array: a
     * gradient of a few megabytes is then written once instead of allocated (zeroed) and written.
     */
    static Tensor overwrite(Tensor g) {
        BufferPool p = POOLS.get();
        if (p.running == null || p.running.offered != g) return null;
        p.running.offered = null;
        p.overwritten++;
        Tensor t = new Tensor(g.storage, g.shape, g.strides, 0);
        g.storage.owner = t;
        return t;
    }

    /**
     * f(x), where x is dead once f has read it: if f starts with relu, tanh, sigmoid, or leakyRelu
     * with a positive slope, of x, that op writes its result over x's array ({@link #overwriteInput}).
     * For a layer stack that knows the output of one layer is read by the next activation only.
     * Only the whole array of a result of no recorded op, or of a convolution, linear or batch norm
     * op (a new array that their rules do not read), is written over.
     */
    static Tensor overwriting(Tensor x, UnaryOperator<Tensor> f) {
        BufferPool p = POOLS.get();
        boolean whole = x.isContiguous() && x.offset == 0 && x.numel() == Array.getLength(x.storage.array);
        Op op = x.gradFn == null ? null : x.gradFn.op;
        boolean fresh = op == null || op == Op.CONV2D || op == Op.LINEAR || op == Op.BATCH_NORM;
        p.deadInput = whole && fresh ? x : null;
        try {
            return f.apply(x);
        } finally {
            p.deadInput = null;
        }
    }

    /**
     * A tensor over x's own array when x is the dead input of {@link #overwriting}, else null. Its
     * version is bumped first: a tensor saved before that reads x would then be refused at backward,
     * not misread. (The activation's own rule reads the result, or for leakyRelu x's sign, which its
     * result keeps.)
     */
    static Tensor overwriteInput(Tensor x) {
        BufferPool p = POOLS.get();
        if (p.deadInput != x) return null;
        p.deadInput = null;
        p.overwrittenInputs++;
        x.storage.bumpVersion();
        return new Tensor(x.storage, x.shape, x.strides, 0);
    }

    /** How many activations on this thread have written their result over their input (for tests). */
    static long overwrittenInputs() {
        return POOLS.get().overwrittenInputs;
    }

    /** Keeps t's array out of the pool (someone outside the pass may hold it). */
    static void keep(Tensor t) {
        t.storage.pass = null;
    }

    /**
     * Keeps own's array out of the pool as the array of stored, a tensor's grad over it (own itself
     * or its detached twin), which then owns it as own did: {@link #recycle} may take it later.
     */
    static void store(Tensor own, Tensor stored) {
        Storage s = own.storage;
        s.pass = null;
        if (s.owner == own) s.owner = stored;
    }

    /** Keeps t's array out of the pool for good: a caller outside nabla was given t and may keep it. */
    static void disown(Tensor t) {
        t.storage.pass = null;
        t.storage.owner = null;
    }

    /**
     * Hands the array of a cleared gradient to the next pass when the gradient still owns
     * it: a pass allocated it for that gradient and no one was given it since ({@link #disown}).
     */
    static void recycle(Tensor grad) {
        Storage s = grad.storage;
        if (s.owner != grad || grad.numel() < CARRY_MIN_LENGTH) return;
        s.owner = null; // once
        carry(s.array, 0);
    }

    /** How many arrays this thread's pool has given out again (for tests). */
    static long reused() {
        return POOLS.get().reused;
    }

    /** How many gradients rules on this thread have written their result over (for tests). */
    static long overwritten() {
        return POOLS.get().overwritten;
    }

    private static long key(DType dtype, int n) {
        return (long) n << 2 | dtype.ordinal();
    }

    private static long bytes(long key) {
        return (key >>> 2) * DType.values()[(int) (key & 3)].bytes();
    }

    private static long key(Object array) {
        return switch (array) {
            case float[] a -> key(DType.FLOAT32, a.length);
            case double[] a -> key(DType.FLOAT64, a.length);
            case long[] a -> key(DType.INT64, a.length);
            default -> throw new IllegalArgumentException("not a tensor's array: " + array.getClass());
        };
    }
}
