package dev.nabla.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse pass: a topological sort of the tape from the outputs, then one loop over it in
 * reverse, each node turning its output's gradient into its inputs' gradients. Used by
 * {@link Tensor#backward()} (accumulates into leaves' grad) and by the functional
 * {@link #grad} (returns the gradients, touches no grad field).
 */
final class Backprop {
    private Backprop() {}

    /** Accumulates into the grad of every leaf (and retaining tensor), or of {@code inputs} only when not null. */
    static void backward(Tensor root, Tensor gradient, boolean retainGraph, boolean createGraph, List<Tensor> inputs) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: this tensor does not require grad and has no grad_fn; it was "
                    + "computed without any input that requiresGrad(true), or inside GradMode.noGrad()");
        }
        if (inputs != null) {
            if (inputs.isEmpty()) throw new IllegalArgumentException("backward: inputs is empty; give the tensors to accumulate gradients into");
            for (int i = 0; i < inputs.size(); i++) {
                if (!inputs.get(i).requiresGrad()) {
                    throw new IllegalArgumentException("backward: input " + i + " (shape " + Shape.str(inputs.get(i).shape)
                            + ") does not require grad; call requiresGrad(true) on it before computing the output");
                }
            }
        }
        Tensor g = rootGradient("backward", root, gradient);
        // as in PyTorch, createGraph keeps the graph: the recorded gradient is differentiated through it
        run(List.of(root), List.of(g), retainGraph || createGraph, createGraph, inputs, true);
    }

    private static Tensor rootGradient(String op, Tensor root, Tensor gradient) {
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException(op + ": the output has shape " + Shape.str(root.shape)
                        + "; without a gradient argument it must be a scalar (one element). Pass a gradient of that"
                        + " shape, or reduce the output first (e.g. sum() or mean())");
            }
            return root.onesLike();
        }
        if (!Arrays.equals(gradient.shape, root.shape)) {
            throw new IllegalArgumentException(op + ": gradient of shape " + Shape.str(gradient.shape)
                    + " for an output of shape " + Shape.str(root.shape) + "; they must be equal");
        }
        return gradient.toType(root.dtype());
    }

    /**
     * The gradients of the sum of {@code outputs} (each weighted by its entry of
     * {@code gradOutputs}, or 1 for scalars when null) with respect to {@code inputs}, which may
     * be any tensors of the graph, leaves or not. With {@code createGraph} the result is itself
     * differentiable (higher-order derivatives); the graph is then kept as well. An input the
     * outputs do not depend on gives an error, or null when {@code allowUnused}.
     */
    static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    boolean retainGraph, boolean createGraph, boolean allowUnused) {
        List<Tensor> seeds = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Tensor out = outputs.get(i);
            if (!out.requiresGrad()) {
                throw new IllegalArgumentException("grad: output " + i + " (shape " + Shape.str(out.shape)
                        + ") does not require grad, so nothing depends on the inputs");
            }
            seeds.add(rootGradient("grad", out, gradOutputs == null ? null : gradOutputs.get(i)));
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (!inputs.get(i).requiresGrad()) {
                throw new IllegalArgumentException("grad: input " + i + " (shape " + Shape.str(inputs.get(i).shape)
                        + ") does not require grad; call requiresGrad(true) on it before computing the outputs");
            }
        }
        Map<Tensor, Tensor> found = run(outputs, seeds, retainGraph || createGraph, createGraph, inputs, false);
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor g = found.get(inputs.get(i));
            if (g == null && !allowUnused) {
                throw new IllegalArgumentException("grad: input " + i + " (shape " + Shape.str(inputs.get(i).shape)
                        + ") is not part of the graph of the outputs; pass allowUnused=true to get null for it");
            }
            result.add(g);
        }
        return result;
    }

    /**
     * Adds gradient term gi to the one of edge (a node's output or a leaf). Without createGraph, a
     * sum this pass made is accumulated into in place (the same additions in the same order: the
     * same bits) instead of allocating a new one for every further term; a term itself may be
     * shared (a view of the output's gradient, a user's tensor from a hook) and is never written to.
     */
    private static void accumulate(Map<Object, Tensor> grads, Set<Tensor> sums, Object edge, Tensor gi,
                                   boolean createGraph, BufferPool.Pass pool) {
        Tensor acc = grads.get(edge);
        if (acc == null) {
            grads.put(edge, gi);
        } else if (sums.contains(acc)) {
            acc.addInPlace(gi);
            if (pool != null) pool.release(gi);
        } else {
            Tensor sum = acc.add(gi);
            if (!createGraph) sums.add(sum);
            grads.put(edge, sum);
            if (pool != null) {
                pool.release(acc);
                pool.release(gi);
            }
        }
    }

    /** Whether the pass differentiates along edge e: a node, or a leaf that requires grad, leading to a target if there are any. */
    private static boolean needs(Object e, List<Tensor> targets, Set<Object> leadsToTarget) {
        return e != null && !(e instanceof Tensor leaf && !leaf.requiresGrad()) && (targets == null || leadsToTarget.contains(e));
    }

    /** Where a tensor sits in the graph: the node that produced it, or the leaf itself. */
    private static Object vertex(Tensor t) {
        return t.gradFn != null ? t.gradFn : t;
    }

    /**
     * Topological order of the vertices (nodes and leaves) reachable from the roots, inputs first
     * (a post-order: the pass walks it from the end). The set is sized for a small net's graph,
     * which the default size made it grow twice.
     */
    private static List<Object> order(List<Tensor> roots) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>(64));
        List<Object> post = new ArrayList<>();
        ArrayDeque<Object> stack = new ArrayDeque<>();
        ArrayDeque<int[]> next = new ArrayDeque<>(); // the next edge of the vertex on top of stack
        for (Tensor r : roots) {
            Object root = vertex(r);
            if (!seen.add(root)) continue;
            stack.push(root);
            next.push(new int[1]);
            while (!stack.isEmpty()) {
                Object v = stack.peek();
                Object[] edges = v instanceof Node n ? n.edges : Node.NO_EDGES;
                int[] i = next.peek();
                if (i[0] < edges.length) {
                    Object e = edges[i[0]++];
                    if (e != null && seen.add(e)) {
                        stack.push(e);
                        next.push(new int[1]);
                    }
                } else {
                    stack.pop();
                    next.pop();
                    post.add(v);
                }
            }
        }
        return post;
    }

    /**
     * The pass: with targets, only the part of the graph leading to them; their gradients are
     * returned, or accumulated into their grad (intoGrad); without, into every leaf's grad.
     */
    private static Map<Tensor, Tensor> run(List<Tensor> roots, List<Tensor> seeds, boolean retainGraph,
                                           boolean createGraph, List<Tensor> targets, boolean intoGrad) {
        List<Object> topo = order(roots); // inputs first
        // the targets by vertex (a non-leaf target's is its node)
        Map<Object, Tensor> targetOf = new IdentityHashMap<>();
        if (targets != null) for (Tensor t : targets) targetOf.put(vertex(t), t);
        // With targets, only the part of the graph that leads to one of them needs derivatives.
        Set<Object> leadsToTarget = Collections.newSetFromMap(new IdentityHashMap<>());
        if (targets != null) {
            for (Object v : topo) {
                boolean reach = targetOf.containsKey(v);
                if (v instanceof Node n) for (Object e : n.edges) reach |= e != null && leadsToTarget.contains(e);
                if (reach) leadsToTarget.add(v);
            }
        }
        Map<Tensor, Tensor> found = new IdentityHashMap<>();
        // gradients consumed by the pass give their arrays to the next ones (not when the pass is recorded)
        try (var mode = GradMode.set(createGraph); var pool = createGraph ? null : BufferPool.open()) {
            Sweep sweep = new Sweep(targets, targetOf, leadsToTarget, found, retainGraph, createGraph, intoGrad, pool);
            for (int i = 0; i < roots.size(); i++) {
                sweep.grads.merge(vertex(roots.get(i)), seeds.get(i), Tensor::add);
                sweep.handedOut.add(seeds.get(i).storage);
            }
            // drop the pass's own references as it goes, so that what it has gone past can be freed
            for (int k = topo.size() - 1; k >= 0; k--) sweep.visit(topo.set(k, null));
        }
        return found;
    }

    /**
     * One backward pass's state, and its step at one vertex: a class of its own so that the loop
     * over the vertices stays small. C2 compiled the loop with the step inlined (a long loop with
     * the derivative rules' calls in it) three to five times, once and then again from within the
     * running loop: 0.6–0.9 s of compiler time in the mlp's first 7 s, on a machine with as many
     * cores as training threads. The step, too large to be inlined, is compiled once (60 ms), and
     * the mlp's C2 time in those 7 s went from 4.2 to 3.5 s.
     */
    private static final class Sweep {
        final Map<Object, Tensor> grads = new IdentityHashMap<>();
        /** The sums this pass made itself: no one else holds them, so further terms are added in place. */
        final Set<Tensor> sums = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Storages already owned elsewhere (a seed, another grad): a stored grad must not share one. */
        final Set<Storage> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
        private final List<Tensor> targets;
        private final Map<Object, Tensor> targetOf;
        private final Set<Object> leadsToTarget;
        private final Map<Tensor, Tensor> found;
        private final boolean retainGraph, createGraph, intoGrad;
        private final BufferPool.Pass pool;

        Sweep(List<Tensor> targets, Map<Object, Tensor> targetOf, Set<Object> leadsToTarget, Map<Tensor, Tensor> found,
              boolean retainGraph, boolean createGraph, boolean intoGrad, BufferPool.Pass pool) {
            this.targets = targets;
            this.targetOf = targetOf;
            this.leadsToTarget = leadsToTarget;
            this.found = found;
            this.retainGraph = retainGraph;
            this.createGraph = createGraph;
            this.intoGrad = intoGrad;
            this.pool = pool;
        }

        /** Vertex v's gradient, if it has one, to its hooks, its grad or the targets, and through its node to its inputs. */
        void visit(Object v) {
            // (guarded: an identity set hashes what it is asked to remove, and g is new, its first
            // identity hash a call into the VM; 1.3 of the 3.4% the Runge protocol's step spent on them)
            if (targets != null) leadsToTarget.remove(v);
            Tensor g = grads.remove(v);
            if (g == null) return;
            if (!sums.isEmpty()) sums.remove(g);
            Node node = v instanceof Node n ? n : null;
            // the tensor itself: a leaf, or a node's output that retains its gradient or has hooks
            Tensor t = node == null ? (Tensor) v : node.kept();
            if (t != null) {
                for (var hook : t.hooks()) {
                    BufferPool.disown(g); // seen by the user's hook, as is what it returns
                    Tensor h = hook.apply(g);
                    if (h != null) g = h;
                    BufferPool.disown(g);
                }
            }
            Tensor target = targets == null ? null : targetOf.get(v);
            if (targets != null && !intoGrad) {
                if (target != null) {
                    BufferPool.keep(g);
                    found.put(target, g);
                }
            } else if (targets != null ? target != null : node == null || t != null && t.retainsGrad()) {
                if (target != null) t = target;
                // The stored grad must own its memory: an optimizer may scale it in place.
                // (nor be an expanded or strided view, which in-place updates refuse or would misread)
                Tensor own = createGraph || !g.isContiguous() || !handedOut.add(g.storage) ? g.copy() : g;
                Tensor stored = createGraph ? own : own.detach();
                BufferPool.store(own, stored);
                t.accumulateGrad(stored);
            }
            if (node == null) return;
            if (node.released()) throw node.releasedError();
            Object[] edges = node.edges;
            int needed = 0;
            for (Object e : edges) if (needs(e, targets, leadsToTarget)) needed++;
            // g is read by one rule only: an elementwise rule may write its result over it
            if (pool != null && needed == 1 && node.op != Op.CUSTOM) pool.offer(g);
            for (int i = 0; i < edges.length; i++) {
                if (!needs(edges[i], targets, leadsToTarget)) continue;
                Tensor gi = node.backward(i, g);
                if (gi == null) continue;
                // g itself or a view of it (unless the rule took g's array over), or a user's rule's result: never pooled
                boolean tookOver = gi != g && gi.storage == g.storage && gi.storage.owner == gi;
                if (gi.storage == g.storage && !tookOver || node.op == Op.CUSTOM) BufferPool.keep(gi);
                // a promoting op (float32 with float64) hands back the wider type; a gradient has its input's
                if (gi.dtype() != node.dtype(i)) gi = gi.toType(node.dtype(i));
                if (!Arrays.equals(gi.shape, node.shape(i))) {
                    throw new IllegalStateException("internal error: the derivative of " + node.label + " gave shape "
                            + Shape.str(gi.shape) + " for input " + i + " of shape " + Shape.str(node.shape(i)));
                }
                accumulate(grads, sums, edges[i], gi, createGraph, pool);
            }
            if (pool != null) pool.withdraw();
            if (pool != null && node.op != Op.CUSTOM) pool.release(g); // its inputs' gradients are made
            if (!retainGraph) node.release();
        }
    }
}
