package dev.nabla.kernel;

import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;

/**
 * The loop of a {@link FusedLoop}, never used itself: {@link StagedLoops} defines a hidden copy of
 * this class per program, whose class data is the program's method handle. BODY, a static final
 * field, is then a constant to C2, which inlines the whole handle tree (Vector API operations and
 * method handle combinators, all marked for forced inlining) into the loop, every vector in a register.
 */
final class FusedLoopTemplate implements FusedLoop {
    /** (float[][] inputs, int[] offsets, int i) → the program's vector at element i. */
    private static final MethodHandle BODY = body();
    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    private static MethodHandle body() {
        try {
            return MethodHandles.classData(MethodHandles.lookup(), ConstantDescs.DEFAULT_NAME, MethodHandle.class);
        } catch (IllegalAccessException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void run(float[][] inputs, int[] offsets, float[] y, int yo, int from, int to) {
        try {
            for (int i = from; i < to; i += LANES) ((FloatVector) BODY.invokeExact(inputs, offsets, i)).intoArray(y, yo + i);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("a fused loop threw a checked exception", t);
        }
    }

    @Override
    public int lanes() {
        return LANES;
    }
}
