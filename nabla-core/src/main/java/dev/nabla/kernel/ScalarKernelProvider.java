package dev.nabla.kernel;

/** The plain-Java kernels: the fallback, and the reference the Panama ones are tested against. */
final class ScalarKernelProvider extends KernelProvider {
    ScalarKernelProvider() {
        super(new ScalarGemm(), new ScalarElementwise(), new ScalarPooling());
    }

    @Override
    public String name() {
        return "scalar";
    }
}
