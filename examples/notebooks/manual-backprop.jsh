// The manual-backprop assignment: the course's two-layer network, one example, one step of
// gradient descent, by hand with the chain rule, then by nabla's autograd.
// x = 1, w1 = 0.5, w2 = −1, target y = 0.5, sigmoid on both layers, no biases, L = ½(y − ŷ)², lr 0.1.
// Run: ./nabla shell examples/notebooks/manual-backprop.jsh

double x = 1.0, w1 = 0.5, w2 = -1.0, target = 0.5, lr = 0.1;
double sigmoid(double z) { return 1 / (1 + Math.exp(-z)); }

// forward pass
double z1 = w1 * x, h = sigmoid(z1);
double z2 = w2 * h, yHat = sigmoid(z2);
double loss = 0.5 * (target - yHat) * (target - yHat);
check("h = σ(0.5)", h, 0.6224593312, 1e-10);
check("ŷ = σ(−h)", yHat, 0.3492223218, 1e-10);
check("L = ½(y − ŷ)²", loss, 0.0113669541, 1e-10);

// backward pass: the local derivatives, then the error signals δ = ∂L/∂z of each layer
double dLdyHat = yHat - target;          // ∂L/∂ŷ
double dyHatdz2 = yHat * (1 - yHat);     // σ'(z2) = ŷ(1 − ŷ)
double dhdz1 = h * (1 - h);              // σ'(z1) = h(1 − h)
double delta2 = dLdyHat * dyHatdz2;      // δ2 = ∂L/∂z2
double delta1 = delta2 * w2 * dhdz1;     // δ1 = ∂L/∂z1 = δ2 · ∂z2/∂h · ∂h/∂z1: reuses δ2
double gradW2 = delta2 * h, gradW1 = delta1 * x;
check("∂L/∂w2 = δ2 · h", gradW2, -0.0213295983, 1e-10);
check("∂L/∂w1 = δ1 · x", gradW1, 0.0080527908, 1e-10);

// the update
check("w1 ← w1 − lr·∂L/∂w1", w1 - lr * gradW1, 0.4991947209, 1e-10);
check("w2 ← w2 − lr·∂L/∂w2", w2 - lr * gradW2, -0.9978670402, 1e-10);

// the same with autograd: float64 tensors that record the computation, then loss.backward()
Tensor tw1 = Tensor.scalar(DType.FLOAT64, w1).requiresGrad(true), tw2 = Tensor.scalar(DType.FLOAT64, w2).requiresGrad(true);
Tensor tz2 = tw2.mul(tw1.mul(x).sigmoid());
tz2.retainGrad();
Tensor tLoss = tz2.sigmoid().sub(target).square().mul(0.5);
tLoss.backward();
check("autograd's loss", tLoss.item(), loss, 1e-15);
check("autograd's δ2 = ∂L/∂z2", tz2.grad().item(), delta2, 1e-15);
check("autograd's ∂L/∂w2", tw2.grad().item(), gradW2, 1e-15);
check("autograd's ∂L/∂w1", tw1.grad().item(), gradW1, 1e-15);

// one step of SGD on the parameters does the update
new SGD(List.of(tw1, tw2), lr).step();
check("SGD's w1", tw1.item(), w1 - lr * gradW1, 1e-15);
check("SGD's w2", tw2.item(), w2 - lr * gradW2, 1e-15);

// a plot of the loss as a function of w2 (w1 fixed): the step goes downhill
double[] ws = new double[81], ls = new double[81];
for (int i = 0; i < 81; i++) { ws[i] = -3 + i * 0.075; double p = sigmoid(ws[i] * h); ls[i] = 0.5 * (target - p) * (target - p); }
plot("L against w2 (w1 = 0.5)", ws, ls);
