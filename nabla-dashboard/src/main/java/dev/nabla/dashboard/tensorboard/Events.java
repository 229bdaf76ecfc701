package dev.nabla.dashboard.tensorboard;

/**
 * The serialized {@code Event} messages of TensorBoard's event.proto and summary.proto (the
 * fields nabla writes): {@code Event{wall_time=1, step=2, file_version=3, summary=5, source_metadata=10}},
 * {@code Summary{value=1}}, {@code Summary.Value{tag=1, simple_value=2, image=4, histo=5}},
 * {@code Summary.Image{height=1, width=2, colorspace=3, encoded_image_string=4}}.
 */
final class Events {
    /** The version string TensorBoard expects in the first event of a file. */
    static final String FILE_VERSION = "brain.Event:2";

    private Events() {}

    /** The program that wrote the file, in the first event's source_metadata (field 10). */
    static final String WRITER = "nabla";

    /** The first event of a file: its version, and the writing program (SourceMetadata{writer=1}). */
    static byte[] fileVersion(double wallTime, String writer) {
        return new Protobuf().fixedDouble(1, wallTime).string(3, FILE_VERSION)
                .message(10, new Protobuf().string(1, writer)).toByteArray();
    }

    static byte[] scalar(double wallTime, long step, String tag, float value) {
        return event(wallTime, step, new Protobuf().string(1, tag).fixedFloat(2, value));
    }

    static byte[] histogram(double wallTime, long step, String tag, Histogram h) {
        return event(wallTime, step, new Protobuf().string(1, tag).message(5, h.proto()));
    }

    /** colorspace: 1 grayscale, 2 grayscale + alpha, 3 RGB, 4 RGBA. */
    static byte[] image(double wallTime, long step, String tag, int height, int width, int colorspace, byte[] png) {
        Protobuf image = new Protobuf().varint(1, height).varint(2, width).varint(3, colorspace).bytes(4, png);
        return event(wallTime, step, new Protobuf().string(1, tag).message(4, image));
    }

    private static byte[] event(double wallTime, long step, Protobuf value) {
        Protobuf summary = new Protobuf().message(1, value);
        return new Protobuf().fixedDouble(1, wallTime).varint(2, step).message(5, summary).toByteArray();
    }
}
