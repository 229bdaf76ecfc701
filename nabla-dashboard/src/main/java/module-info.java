/**
 * Live training views: the browser dashboard and playground served by the JDK's HTTP server, and
 * TensorBoard event files. Its web page ships inside the module.
 */
module dev.nabla.dashboard {
    requires transitive dev.nabla.core;
    requires dev.nabla.plot;
    requires java.desktop; // PNG sample images (javax.imageio)
    requires jdk.httpserver;

    exports dev.nabla.dashboard;
    exports dev.nabla.dashboard.tensorboard;
}
