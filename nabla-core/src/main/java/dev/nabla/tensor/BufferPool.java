package dev.nabla.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

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
 * did not reuse is dropped when it ends: arrays held from one step to the next would add to the
 * live set of the forward pass between them (a weight's gradient kept for the next pass, as
 * PyTorch's zero_grad(set_to_none=False) keeps it, adds itself to the forward pass's peak, where
 * the saved activations are).
 */
final class BufferPool {
    /**
     * Below this many elements a fresh array is as cheap as a lookup (and never a humongous object).
     * The system property nabla.poolMinLength overrides it: the test run that pools every array sets 1.
     */
    static final int MIN_LENGTH = Math.max(1, Integer.getInteger("nabla.poolMinLength", 1 << 12));
    private static final ThreadLocal<BufferPool> POOLS = ThreadLocal.withInitial(BufferPool::new);

    /** The arrays the running pass has released, by dtype and length. */
    private final Map<Long, ArrayDeque<Object>> free = new HashMap<>();
    /** The innermost running pass on this thread, or null. */
    private Pass running;
    /** How many arrays the pool has given out again, and how many gradients rules have written over (for tests). */
    private long reused, overwritten;

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
            pool.free.computeIfAbsent(key(s.dtype, t.numel()), k -> new ArrayDeque<>()).push(s.array);
        }

        @Override
        public void close() {
            pool.running = outer;
            if (outer == null) pool.free.clear();
        }
    }

    /** Starts a pass on this thread. */
    static Pass open() {
        BufferPool p = POOLS.get();
        return p.running = new Pass(p, p.running);
    }

    /** A zeroed storage of n elements, on an array the running pass released when it has one of that length. */
    static Storage allocate(DType dtype, int n) {
        if (n < MIN_LENGTH) return new Storage(dtype, n);
        BufferPool p = POOLS.get();
        if (p.running == null) return new Storage(dtype, n);
        long key = key(dtype, n);
        ArrayDeque<Object> q = p.free.get(key);
        Object array = q == null ? null : q.poll();
        Storage s;
        if (array == null) {
            s = new Storage(dtype, n);
        } else {
            switch (dtype) {
                case FLOAT32 -> Arrays.fill((float[]) array, 0f);
                case FLOAT64 -> Arrays.fill((double[]) array, 0d);
                case INT64 -> Arrays.fill((long[]) array, 0L);
            }
            s = new Storage(dtype, array);
            p.reused++;
        }
        s.pass = p.running;
        return s;
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

    /** Keeps t's array out of the pool (someone outside the pass may hold it). */
    static void keep(Tensor t) {
        t.storage.pass = null;
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
}
