package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Autograd;
import dev.nabla.autograd.GradcheckConvTest;
import dev.nabla.autograd.GradcheckOpsTest;
import dev.nabla.nn.TorchConvFixtureTest;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every primitive of {@link Op} has a float64 gradcheck case and a PyTorch fixture case: the
 * test runs each case of the gradcheck tables ({@link GradcheckOpsTest}, {@link GradcheckConvTest})
 * and of the fixtures ({@link TorchFixtureTest}, {@link TorchConvFixtureTest}) and collects the
 * primitives on their tapes. A primitive counts for a table when a checked computation runs it:
 * the forward, the first-order backward (which the fixtures compare with PyTorch's gradients) and,
 * for gradcheck, the second-order backward (which it checks against finite differences of the first).
 * So the tables cannot drift from the enum: a new primitive fails here until both have a case.
 */
class PrimitiveCoverageTest {
    /**
     * The only exemptions, each with its reason: a user-defined op has no PyTorch counterpart (it is
     * gradchecked in CustomOpTest and GradcheckOpsTest); max pooling's gather is the forward of a
     * second derivative, which the first-order fixtures cannot reach (gradcheck checks it, and its
     * values are max pooling's own indices, which the fixture compares with PyTorch's return_indices).
     */
    private static final Set<Op> NO_FIXTURE = EnumSet.of(Op.CUSTOM, Op.MAX_POOL2D_GATHER);

    @Test
    void everyPrimitiveHasAGradcheckCase() {
        List<Checked> cases = new ArrayList<>(GradcheckOpsTest.checked());
        cases.addAll(GradcheckConvTest.checked());
        Set<Op> missing = EnumSet.allOf(Op.class);
        missing.removeAll(primitives(cases, 2));
        assertTrue(missing.isEmpty(), "primitives without a gradcheck case (add one to GradcheckOpsTest): " + missing);
    }

    @Test
    void everyPrimitiveHasAPyTorchFixture() throws IOException {
        List<Checked> cases = new ArrayList<>(TorchFixtureTest.checked());
        cases.addAll(TorchConvFixtureTest.checked());
        Set<Op> missing = EnumSet.allOf(Op.class);
        missing.removeAll(primitives(cases, 1));
        missing.removeAll(NO_FIXTURE);
        assertTrue(missing.isEmpty(), "primitives without a PyTorch fixture (add a case to scripts/torch_fixtures.py and"
                + " TorchFixtureTest, and regenerate): " + missing);
    }

    // The primitives run by the cases' outputs and their derivatives up to the given order.
    private static Set<Op> primitives(List<Checked> cases, int order) {
        Set<Op> seen = EnumSet.noneOf(Op.class);
        for (Checked c : cases) {
            List<Tensor> wrt = c.inputs().stream().filter(Tensor::requiresGrad).toList();
            List<Tensor> level = c.outputs().get().stream().filter(Tensor::requiresGrad).toList();
            for (int k = 0; k <= order && !level.isEmpty() && !wrt.isEmpty(); k++) {
                seen.addAll(ops(level));
                if (k == order) break;
                // the backward recorded, with seeds that require grad: every primitive it runs is on its tape
                List<Tensor> seeds = level.stream().map(t -> t.onesLike().requiresGrad(true)).toList();
                level = Autograd.grad(level, wrt, seeds, true, true).stream().filter(g -> g != null && g.requiresGrad()).toList();
            }
        }
        return seen;
    }

    private static Set<Op> ops(List<Tensor> roots) {
        Set<Op> ops = EnumSet.noneOf(Op.class);
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> todo = new ArrayDeque<>();
        for (Tensor t : roots) if (t.gradFn != null) todo.push(t.gradFn);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (!visited.add(n)) continue;
            ops.add(n.op);
            for (Object e : n.edges) if (e instanceof Node producer) todo.push(producer);
        }
        return ops;
    }
}
