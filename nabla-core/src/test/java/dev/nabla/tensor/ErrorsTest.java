package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Autograd;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every misuse gives a clear exception whose message names the op and the shapes or values. */
class ErrorsTest {
    private static <T extends Throwable> T expect(Class<T> type, Executable call, String... parts) {
        T e = assertThrows(type, call);
        String msg = e.getMessage();
        for (String p : parts) {
            assertTrue(msg != null && msg.contains(p), "message should contain \"" + p + "\": " + msg);
        }
        return e;
    }

    private static final Tensor M34 = Tensor.zeros(3, 4);

    @Test
    void matmulInnerDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(3, 4).matmul(Tensor.zeros(5, 2)));
        assertEquals("matmul: [3, 4] @ [5, 2]: inner dimensions 4 and 5 differ", e.getMessage());
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(2, 5, 2)),
                "matmul", "[2, 3, 4]", "[2, 5, 2]", "4", "5");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(3, 4, 5)),
                "matmul", "[2]", "[3]", "broadcast");
        expect(IllegalArgumentException.class, () -> Tensor.scalar(1).matmul(M34), "matmul", "[]", "[3, 4]");
    }

    @Test
    void sumToAShapeNotBroadcastFrom() {
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sumTo(new int[] {2}), "sumTo", "[2, 3]", "[2]");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(4, 2, 3).sumTo(new int[] {5, 3}), "sumTo", "[4, 2, 3]", "[5, 3]");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(3).sumTo(new int[] {2, 3}), "sumTo", "larger rank");
    }

    @Test
    void nonBroadcastableShapes() {
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)),
                "add", "[2, 3]", "[4]", "broadcast");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).mul(Tensor.zeros(3, 2)),
                "mul", "[2, 3]", "[3, 2]");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(5, 1).sub(Tensor.zeros(2, 4, 3)),
                "sub", "[5, 1]", "[2, 4, 3]", "dim -2 is 5 vs 4");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 4, 3).sub(Tensor.zeros(7, 1, 2)),
                "sub", "dim -3 is 2 vs 7");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).addInPlace(Tensor.zeros(4, 2, 3)),
                "addInPlace", "[4, 2, 3]", "[2, 3]");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).expand(4, 3), "expand", "[2, 3]", "[4, 3]");
    }

    @Test
    void backwardOfANonScalarWithoutGradient() {
        Tensor x = Tensor.ones(2, 3).requiresGrad(true);
        expect(IllegalArgumentException.class, () -> x.mul(2).backward(), "backward", "[2, 3]", "scalar");
        expect(IllegalArgumentException.class, () -> x.mul(2).backward(Tensor.ones(3, 2)),
                "backward", "[3, 2]", "[2, 3]");
        expect(IllegalStateException.class, () -> Tensor.ones(2).sum().backward(), "backward", "does not require grad");
    }

    @Test
    void gradOfATensorNotInTheGraph() {
        Tensor x = Tensor.ones(2).requiresGrad(true), other = Tensor.ones(3).requiresGrad(true);
        expect(IllegalArgumentException.class, () -> Autograd.grad(x.sum(), other, false),
                "grad", "[3]", "not part of the graph");
        expect(IllegalArgumentException.class, () -> Autograd.grad(Tensor.ones(2).sum(), x, false),
                "grad", "does not require grad");
    }

    @Test
    void int64TakesNoArithmetic() {
        Tensor labels = Tensor.of(new long[] {0, 2, 1});
        Tensor x = Tensor.ones(3);
        expect(IllegalArgumentException.class, () -> labels.add(x), "add", "int64", "[3]", "toType");
        expect(IllegalArgumentException.class, () -> x.mul(labels), "mul", "int64", "[3]");
        expect(IllegalArgumentException.class, () -> labels.exp(), "exp", "int64", "[3]");
        expect(IllegalArgumentException.class, () -> labels.sum(), "sum", "int64", "[3]");
        expect(IllegalArgumentException.class, () -> labels.matmul(Tensor.ones(3, 2)), "matmul", "int64");
        expect(IllegalArgumentException.class, () -> labels.requiresGrad(true), "requiresGrad", "int64");
        expect(IllegalArgumentException.class, () -> x.gather(0, Tensor.of(new float[] {0})),
                "gather", "int64", "float32");
    }

    @Test
    void outOfRangeDimsAndIndices() {
        expect(IndexOutOfBoundsException.class, () -> M34.narrow(1, 2, 3), "narrow", "2", "3", "size 4", "[3, 4]");
        expect(IndexOutOfBoundsException.class, () -> M34.narrow(2, 0, 1), "narrow", "dim 2", "rank 2");
        expect(IndexOutOfBoundsException.class, () -> M34.select(0, 3), "select", "index 3", "size 3");
        expect(IndexOutOfBoundsException.class, () -> M34.select(-3, 0), "select", "dim -3", "rank 2");
        expect(IndexOutOfBoundsException.class, () -> M34.gather(1, Tensor.of(new long[] {0, 4, 1}, 3, 1)),
                "gather", "index 4", "size 4", "[3, 4]");
        expect(IndexOutOfBoundsException.class, () -> M34.indexSelect(0, Tensor.of(new long[] {1, 5})),
                "indexSelect", "index 5", "size 3", "[3, 4]");
        expect(IndexOutOfBoundsException.class, () -> Tensor.oneHot(Tensor.of(new long[] {0, 3}), 3),
                "oneHot", "label 3", "[0, 3)");
        expect(IndexOutOfBoundsException.class, () -> Tensor.oneHot(Tensor.of(new long[] {-1}), 3), "oneHot", "-1");
        expect(IllegalArgumentException.class, () -> M34.permute(0, 0), "permute", "repeated", "[0, 0]");
        expect(IllegalArgumentException.class, () -> M34.permute(0, 1, 2), "permute", "rank 2", "[0, 1, 2]");
        expect(IndexOutOfBoundsException.class, () -> M34.permute(0, 2), "permute", "dim 2");
        expect(IndexOutOfBoundsException.class, () -> M34.sum(2, false), "sum", "dim 2", "rank 2");
        expect(IndexOutOfBoundsException.class, () -> M34.softmax(-3), "dim -3", "rank 2");
        expect(IndexOutOfBoundsException.class, () -> M34.transpose(0, 5), "transpose", "dim 5");
        expect(IndexOutOfBoundsException.class, () -> M34.get(3, 0), "get", "index 3", "size 3");
        expect(IndexOutOfBoundsException.class, () -> M34.unsqueeze(4), "unsqueeze", "dim 4");
        expect(IllegalArgumentException.class, () -> M34.sum(new int[] {1, -1}, false), "sum", "more than once");
    }

    @Test
    void reshapeAndViewErrors() {
        expect(IllegalArgumentException.class, () -> M34.reshape(5, 2), "reshape", "[3, 4]", "12", "[5, 2]");
        expect(IllegalArgumentException.class, () -> M34.reshape(-1, 5), "reshape", "[3, 4]", "[-1, 5]");
        expect(IllegalArgumentException.class, () -> M34.reshape(-1, -1), "reshape", "-1");
        expect(IllegalStateException.class, () -> M34.t().view(12), "view", "[4, 3]", "[12]", "reshape");
        expect(IllegalArgumentException.class, () -> M34.view(7), "view", "[3, 4]", "[7]");
    }

    @Test
    void catAndStackOfMismatchedShapes() {
        expect(IllegalArgumentException.class, () -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4)), 0),
                "cat", "[2, 4]", "[2, 3]", "dim 0");
        expect(IllegalArgumentException.class, () -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(3)), 0),
                "cat", "[3]", "[2, 3]");
        expect(IllegalArgumentException.class, () -> Tensor.cat(List.of(), 0), "cat");
        expect(IndexOutOfBoundsException.class, () -> Tensor.cat(List.of(Tensor.zeros(2, 3)), 2), "cat", "dim 2");
        expect(IllegalArgumentException.class, () -> Tensor.stack(List.of(Tensor.zeros(2), Tensor.zeros(3)), 0),
                "stack", "[3]", "[2]");
        expect(IllegalArgumentException.class,
                () -> Tensor.cat(List.of(Tensor.zeros(2), Tensor.zeros(DType.INT64, 2)), 0), "cat", "int64");
    }

    @Test
    void otherMisuses() {
        expect(IllegalArgumentException.class, () -> M34.item(), "item", "[3, 4]", "12");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(2, -1), "zeros", "negative", "[2, -1]");
        expect(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3), "Tensor.of", "5", "[2, 3]");
        expect(IllegalStateException.class, () -> Tensor.ones(1, 3).expand(2, 3).mulInPlace(2), "mulInPlace",
                "expanded");
        expect(IllegalArgumentException.class, () -> M34.setGrad(Tensor.zeros(4, 3)), "setGrad", "[4, 3]", "[3, 4]");
        expect(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).amax(new int[] {0}, false), "max", "[0, 3]");
        expect(IllegalArgumentException.class, () -> M34.clamp(1, 0), "clamp", "1", "0");
    }
}
