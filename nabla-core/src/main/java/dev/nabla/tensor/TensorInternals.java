package dev.nabla.tensor;

import dev.nabla.kernel.Elementwise;
import dev.nabla.kernel.KernelProvider;
import dev.nabla.kernel.Parallel;
import dev.nabla.tensor.internal.Internals;
import java.util.List;
import java.util.function.UnaryOperator;

/** The tensor package's side of {@link Internals}: the tape and the fused ops for the rest of nabla-core. */
final class TensorInternals implements Internals.Access {
    @Override
    public List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs, boolean retainGraph,
                             boolean createGraph, boolean allowUnused) {
        return Backprop.grad(outputs, inputs, gradOutputs, retainGraph, createGraph, allowUnused);
    }

    @Override
    public Tensor custom(String name, Tensor output, List<Tensor> inputs, Internals.Backward backward) {
        return CustomOps.record(name, output, inputs, backward);
    }

    @Override
    public boolean adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double beta1, double beta2, double biasCorrection2Sqrt,
                            double eps, double stepSize) {
        return Fused.adamStep(p, g, m, v, beta1, beta2, biasCorrection2Sqrt, eps, stepSize);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return LinearOp.forward(x, weight, bias);
    }

    @Override
    public Internals.BatchNorm batchNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        BatchNormOp.Result r = BatchNormOp.train(x, weight, bias, eps);
        if (r == null) r = BatchNormOp.reference(x, weight, bias, eps);
        return new Internals.BatchNorm(r.y(), r.mean(), r.var());
    }

    @Override
    public Tensor adopt(float[] data, int... shape) {
        return Factories.fromArray(DType.FLOAT32, data, data.length, shape);
    }

    @Override
    public Tensor unsignedBytes(byte[] x, int[] offsets, int rowLength, float divisor, int... shape) {
        float[] y = new float[offsets.length * rowLength];
        Elementwise ew = KernelProvider.get().elementwise();
        // rows in parallel: a batch is gathered on the training thread while the other threads wait
        Parallel.forRange(offsets.length, Math.max(1, Runs.GRAIN / Math.max(1, rowLength)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) ew.unsignedBytes(x, offsets[r], divisor, y, r * rowLength, rowLength);
        });
        return adopt(y, shape);
    }

    @Override
    public boolean allFinite(Tensor t) {
        return Compute.allFinite(t);
    }

    @Override
    public Tensor gradInPassing(Tensor p) {
        return p.gradInPassing();
    }

    @Override
    public Tensor overwriting(Tensor x, UnaryOperator<Tensor> f) {
        return BufferPool.overwriting(x, f);
    }

    @Override
    public void onlyTheTapeReads(Tensor[] passed, boolean[] plain) {
        BufferPool.onlyTheTapeReads(passed, plain);
    }
}
