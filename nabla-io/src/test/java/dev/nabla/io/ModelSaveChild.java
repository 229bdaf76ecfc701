package dev.nabla.io;

import dev.nabla.io.spec.SavedModel;
import dev.nabla.nn.Linear;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.Generator;
import java.nio.file.Path;

/**
 * The child JVM of {@link ModelSaveKillTest}: {@code TARGET FIRST} saves version v = FIRST,
 * FIRST+1, ... of {@link #model} to TARGET (one name, two architectures in turn), forever,
 * printing "saved v" after each save returns.
 */
public final class ModelSaveChild {
    private ModelSaveChild() {}

    /** Version v: even versions 64-1000-1, odd ones 64-700-1 with other activations; weights seeded by v. */
    static Sequential model(long v) {
        Generator g = new Generator(v);
        return v % 2 == 0 ? new Sequential(new Linear(64, 1000, g), new ReLU(), new Linear(1000, 1, g))
                : new Sequential(new Linear(64, 700, g), new Tanh(), new Linear(700, 1, g), new Sigmoid());
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        for (long v = Long.parseLong(args[1]); ; v++) {
            new SavedModel(model(v), 64).seed(v).save(target);
            System.out.println("saved " + v);
            System.out.flush();
        }
    }
}
