package example;

import dev.nabla.nn.*;
import dev.nabla.onnx.Onnx;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.*;
import java.nio.file.Path;

/** README.md's 10-line program: fits y = x² with a small MLP, then exports it to ONNX. */
public class Main {
    public static void main(String[] args) throws Exception {
        Tensor x = Tensor.linspace(-1, 1, 64).reshape(64, 1), y = x.mul(x);
        Generator g = new Generator(0);
        Sequential model = new Sequential(new Linear(1, 16, g), new Tanh(), new Linear(16, 1, g));
        Adam adam = new Adam(model.parameters(), 0.01);
        for (int step = 0; step < 500; step++) {
            adam.zeroGrad();
            Losses.mseLoss(model.forward(x), y).backward();
            adam.step();
        }
        System.out.println("mse " + Losses.mseLoss(model.forward(x), y).item());
        Onnx.export(model, new int[] {1}, Path.of("model.onnx"));
    }
}
