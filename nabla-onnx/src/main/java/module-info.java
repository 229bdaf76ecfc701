/**
 * ONNX export and import of nabla's models ({@link dev.nabla.onnx.Onnx}), with a protobuf codec of
 * its own, so the library needs no native code; ONNX Runtime checks it in the tests only.
 */
module dev.nabla.onnx {
    requires transitive dev.nabla.core;
    requires dev.nabla.io;

    exports dev.nabla.onnx;
}
