package dev.nabla.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.nabla.nn.Layer;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;

/** Runs ONNX bytes in ONNX Runtime (one thread) and compares with nabla's forward pass. */
final class OrtRunner {
    private OrtRunner() {}

    /** ONNX Runtime's output for x (float32, or int64 indices). */
    static Tensor run(byte[] onnx, Tensor x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(onnx, opts);
                    OnnxTensor in = x.dtype() == DType.INT64
                            ? OnnxTensor.createTensor(env, LongBuffer.wrap(x.toLongArray()), Arrays.stream(x.shape()).asLongStream().toArray())
                            : OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), Arrays.stream(x.shape()).asLongStream().toArray());
                    OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                FloatBuffer b = out.getFloatBuffer();
                float[] f = new float[b.remaining()];
                b.get(f);
                return Tensor.of(f, Arrays.stream(out.getInfo().getShape()).mapToInt(Math::toIntExact).toArray());
            }
        }
    }

    /** nabla's output for x, in eval mode and without the tape. */
    static Tensor nabla(Layer model, Tensor x) {
        model.eval();
        try (var s = GradMode.noGrad()) {
            return model.forward(x);
        }
    }

    /** max |a − b| / max |b| (0 for two zero tensors); the shapes must be equal. */
    static double relativeError(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) throw new AssertionError("shapes differ: " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        float[] x = a.toFloatArray(), y = b.toFloatArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs((double) x[i] - y[i]));
            scale = Math.max(scale, Math.abs((double) y[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
