package dev.nabla.kernel;

import jdk.incubator.vector.FloatVector;

/** The kernels on the JDK Vector API; loaded by name, only when jdk.incubator.vector is present. */
final class PanamaKernelProvider extends KernelProvider {
    PanamaKernelProvider() {
        super(new VectorGemm(), new VectorElementwise(), new VectorPooling());
        // tanh's table lookups take a row of 8 entries from one vector or two (VectorTranscendentals)
        if (FloatVector.SPECIES_PREFERRED.length() < 4) {
            throw new IllegalStateException("the Panama kernels need vectors of 4 floats at least; this JVM's hold "
                    + FloatVector.SPECIES_PREFERRED.length());
        }
    }

    @Override
    public String name() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors, " + FloatVector.SPECIES_PREFERRED.length() + " floats";
    }
}
