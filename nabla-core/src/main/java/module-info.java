/**
 * nabla's core: tensors with reverse-mode autodiff, layers, losses, optimizers, data loading and
 * the training loop. The kernels ({@code dev.nabla.kernel}) are internal; {@link dev.nabla.Nabla}
 * holds the settings a user needs (threads, which kernels run). The Vector API is optional: with
 * {@code --add-modules jdk.incubator.vector} the SIMD kernels run, without it the scalar ones.
 */
module dev.nabla.core {
    requires java.logging;
    requires static jdk.incubator.vector;

    exports dev.nabla;
    exports dev.nabla.autograd;
    exports dev.nabla.data;
    exports dev.nabla.nn;
    exports dev.nabla.optim;
    exports dev.nabla.tensor;
    exports dev.nabla.train;
}
