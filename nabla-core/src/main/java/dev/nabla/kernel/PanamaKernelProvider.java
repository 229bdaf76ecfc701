package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;

/** The kernels on the JDK Vector API; loaded by name, only when jdk.incubator.vector is present. */
final class PanamaKernelProvider extends KernelProvider {
    PanamaKernelProvider() {
        super(new VectorGemm(), new VectorElementwise(), new VectorPooling());
    }

    @Override
    public String name() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, " + FloatVector.SPECIES_PREFERRED.length() + " floats";
    }
}
