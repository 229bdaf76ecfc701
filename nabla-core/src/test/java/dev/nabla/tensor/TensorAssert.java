package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/** Assertions on tensor contents (tensors compare by identity, like any mutable object). */
public final class TensorAssert {
    private TensorAssert() {}

    /** Fails unless both have one type, shape and elements (bitwise; see {@link Tensor#contentEquals}). */
    public static void assertContentEquals(Tensor expected, Tensor actual) {
        assertContentEquals(expected, actual, null);
    }

    /** {@link #assertContentEquals(Tensor, Tensor)} with a message. */
    public static void assertContentEquals(Tensor expected, Tensor actual, String message) {
        if (expected == null ? actual == null : expected.contentEquals(actual)) return;
        String what = expected == null || actual == null ? expected + " vs " + actual
                : expected.dtype() + " " + Arrays.toString(expected.shape()) + " vs " + actual.dtype() + " "
                + Arrays.toString(actual.shape()) + ":\n  expected " + expected + "\n  actual   " + actual;
        fail((message == null ? "" : message + ": ") + "tensors differ: " + what);
    }
}
