package dev.nabla.onnx;

/** A model that cannot be exported to ONNX, or an ONNX file that nabla cannot import; the message names the layer, op or file and what would fix it. */
public class OnnxException extends RuntimeException {
    /** An error with its message. */
    public OnnxException(String message) {
        super(message);
    }

    /** An error with its message and cause. */
    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
