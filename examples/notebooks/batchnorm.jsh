// Exercise 6.6, the BatchNorm notebook: batch normalization by hand against the layer, training
// vs evaluation mode, a batch of one, and what it does to a deep network's training.
// Run: ./nabla shell examples/notebooks/batchnorm.jsh   (plots go to out/shell/)

// 1. By hand: per feature, over the batch, μ and the (biased) variance σ², x̂ = (x − μ)/√(σ² + ε), y = γ x̂ + β
Generator g = new Generator(0);
Tensor x = Tensor.randn(g, DType.FLOAT64, 8, 3).mul(2).add(5);   // 8 examples, 3 features, mean ≈ 5, sd ≈ 2
double eps = 1e-5;
double[] v = x.toDoubleArray();
double[] yHand = new double[24];
double[] mu = new double[3], var = new double[3];
for (int j = 0; j < 3; j++) {
    for (int i = 0; i < 8; i++) mu[j] += v[i * 3 + j] / 8;
    for (int i = 0; i < 8; i++) var[j] += (v[i * 3 + j] - mu[j]) * (v[i * 3 + j] - mu[j]) / 8;
    for (int i = 0; i < 8; i++) yHand[i * 3 + j] = 1.5 * (v[i * 3 + j] - mu[j]) / Math.sqrt(var[j] + eps) + 0.25; // γ = 1.5, β = 0.25
}
System.out.println("μ = " + Arrays.toString(mu) + "\nσ² = " + Arrays.toString(var));

BatchNorm1d bn = new BatchNorm1d(3);
bn.toType(DType.FLOAT64);
Init.constant(bn.weight(), 1.5);
Init.constant(bn.bias(), 0.25);
Tensor y = bn.forward(x);
double[] yLayer = y.toDoubleArray();
double worst = 0;
for (int i = 0; i < 24; i++) worst = Math.max(worst, Math.abs(yHand[i] - yLayer[i]));
check("by hand = BatchNorm1d in training mode (largest difference " + worst + ")", worst < 1e-12);
Tensor yMean = y.mean(0, false), yVar = y.sub(0.25).div(1.5).square().mean(0, false);
show("per-feature mean of y", yMean);
check("each feature of y has mean β = 0.25", yMean.sub(0.25).abs().max().item() < 1e-12);
check("and (y − β)/γ has variance σ²/(σ² + ε) ≈ 1", yVar.sub(1).abs().max().item() < 1e-5);

// 2. Training vs evaluation: training normalizes with the batch's statistics and updates running averages
//    (momentum 0.1; the running variance uses the unbiased estimate, as in PyTorch); evaluation uses the averages.
double[] rm = bn.runningMean().toDoubleArray(), rv = bn.runningVar().toDoubleArray();
for (int j = 0; j < 3; j++) {
    check("running mean[" + j + "] = 0.9·0 + 0.1·μ", rm[j], 0.1 * mu[j], 1e-12);
    check("running var[" + j + "] = 0.9·1 + 0.1·σ²·8/7", rv[j], 0.9 + 0.1 * var[j] * 8 / 7, 1e-12);
}
bn.eval();
Tensor yEval = bn.forward(x);
double evalFirst = 1.5 * (v[0] - rm[0]) / Math.sqrt(rv[0] + eps) + 0.25;
check("evaluation mode uses the running averages", yEval.toDoubleArray()[0], evalFirst, 1e-12);
check("so the same batch gives a different output in evaluation mode", Math.abs(yEval.toDoubleArray()[0] - yLayer[0]) > 0.1);

// 3. A batch of one: its variance is 0, so training mode cannot normalize it (PyTorch refuses too);
//    evaluation mode, with the running averages, handles single examples.
bn.train();
String refused = null;
try { bn.forward(x.narrow(0, 0, 1)); } catch (IllegalArgumentException e) { refused = e.getMessage(); }
System.out.println("training on one example: " + refused);
check("training mode refuses a batch of 1", refused != null && refused.contains("more than 1 value per channel"));
bn.eval();
check("evaluation mode takes a batch of 1", bn.forward(x.narrow(0, 0, 1)).toDoubleArray()[0], evalFirst, 1e-12);

// 4. A deep sigmoid network on the spirals, with and without batch normalization, same seed and steps.
TensorDataset spirals = Synthetic.spirals(100, 3, 0.1, new Generator(1));
Sequential deep(boolean norm) {
    Generator w = new Generator(2);
    Sequential net = new Sequential();
    int in = 2;
    for (int l = 0; l < 6; l++) {
        net.add(new Linear(in, 32, w));
        if (norm) net.add(new BatchNorm1d(32));
        net.add(new Sigmoid());
        in = 32;
    }
    return net.add(new Linear(32, 3, w));
}
History fit(Sequential net) {
    return new Trainer(net, new SGD(net.parameters(), 0.5), Losses::crossEntropy, Metric.ACCURACY)
            .fit(spirals, new FitOptions().epochs(30).batchSize(30).seed(3).progress(false));
}
History plain = fit(deep(false)), normed = fit(deep(true));
System.out.printf("after 30 epochs: loss %.4f, accuracy %.3f without batch norm; loss %.4f, accuracy %.3f with it%n",
        plain.last("loss"), plain.last("accuracy"), normed.last("loss"), normed.last("accuracy"));
double[] epochs = new double[30];
for (int i = 0; i < 30; i++) epochs[i] = i + 1;
plot(new LineChart("6 sigmoid layers on the spirals: training loss").xLabel("epoch").yLabel("cross-entropy")
        .line("without batch norm", epochs, plain.get("loss")).line("with batch norm", epochs, normed.get("loss")));
check("without batch norm the deep sigmoid net barely learns (loss near ln 3 = 1.0986)", plain.last("loss") > 1.0);
check("with batch norm it learns: a much lower loss", normed.last("loss") < 0.8 * plain.last("loss"));
