package dev.nabla.course;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every course program and asserts its figures. */
class CourseTest {
    @TempDir
    Path dir;

    private String printed;

    private Map<String, Double> run(CourseProgram p) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, Double> f = p.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir);
        printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(!printed.isBlank(), p.name() + " printed nothing");
        return f;
    }

    private static void png(Path file, int width, int height) throws IOException {
        assertTrue(Files.size(file) > 0, file + " is empty");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " is not a PNG");
        assertEquals(width, img.getWidth());
        assertEquals(height, img.getHeight());
    }

    @Test
    void theIndexListsEachProgramOnceByAUniqueName() {
        Set<String> names = new HashSet<>();
        for (CourseProgram p : Course.programs()) {
            assertTrue(names.add(p.name()), "duplicate " + p.name());
            assertTrue(Course.find(p.name()).isPresent());
            assertTrue(!p.title().isBlank());
        }
        assertTrue(names.size() >= 14);
        assertTrue(Course.find("no-such").isEmpty());
        assertTrue(Course.elsewhere().stream().anyMatch(e -> e.command().equals("./nabla explain")));
    }

    @Test
    void miniBatchGradientIsTheMeanOfThePerExampleGradients() throws IOException {
        Map<String, Double> f = run(new MiniBatchMean());
        assertTrue(f.get("maxDifference") < 1e-15, f.toString());
        assertEquals(8.0, f.get("sumOverMean"), 1e-12);
    }

    @Test
    void inputGradientFormulaEqualsAutograd() throws IOException {
        Map<String, Double> f = run(new InputGradient());
        assertTrue(f.get("maxDifference") < 1e-16, f.toString());
        assertTrue(Math.abs(f.get("dx1")) > 1e-4);
    }

    @Test
    void logisticRegressionGradient() throws IOException {
        Map<String, Double> f = run(new LogisticRegression());
        // by hand: residuals r = σ(z) − y, ∂L/∂W = Σ rᵢxᵢ
        double[] r = new double[4];
        double loss = 0;
        for (int i = 0; i < 4; i++) {
            double z = 0.1 * LogisticRegression.X[i][0] - 0.2 * LogisticRegression.X[i][1] + 0.05, p = 1 / (1 + Math.exp(-z));
            r[i] = p - LogisticRegression.Y[i];
            loss -= LogisticRegression.Y[i] == 1 ? Math.log(p) : Math.log(1 - p);
        }
        assertEquals(loss, f.get("loss"), 1e-12);
        assertEquals(3.0283713681, f.get("loss"), 1e-10);
        assertEquals(r[0] * 1 + r[1] * -1 + r[2] * 0.5 + r[3] * 2, f.get("dW0"), 1e-12);
        assertEquals(-1.7004080325, f.get("dW0"), 1e-10);
        assertEquals(-2.2786020181, f.get("dW1"), 1e-10);
        assertEquals(0.0115787104, f.get("db"), 1e-10);
        assertTrue(f.get("maxDifference") < 1e-14);
    }

    @Test
    void activationIdentities() throws IOException {
        Map<String, Double> f = run(new Activations());
        for (String k : new String[] {"sigmoidSymmetry", "tanhFromSigmoid", "sigmoidPrime", "sigmoidPrimeSymmetric", "tanhPrime"}) {
            assertTrue(f.get(k) < 1e-15, k + " " + f.get(k));
        }
        assertEquals(0.25, f.get("maxSigmoidPrime"), 0.0);
        assertTrue(f.get("minSigmoidPrime") > 0);
        assertEquals(1.0, f.get("maxTanhPrime"), 0.0);
        assertTrue(f.get("minTanhPrime") > 0);
        assertEquals(9.5367431640625e-7, f.get("quarterToTheTenth"), 0.0);
    }

    @Test
    void sigmoidNetworkAndItsTanhTwinAgree() throws IOException {
        Map<String, Double> f = run(new SigmoidToTanh());
        assertTrue(f.get("maxDifference") < 1e-14, f.toString());
        assertTrue(f.get("outputScale") > 0.1, "the outputs are not trivially 0");
    }

    @Test
    void softmaxOfLargeLogits() throws IOException {
        Map<String, Double> f = run(new SoftmaxStability());
        assertEquals(1.0, f.get("naiveIsNaN"));
        assertEquals(0.0900306, f.get("p0"), 1e-7);
        assertEquals(0.2447285, f.get("p1"), 1e-7);
        assertEquals(0.6652410, f.get("p2"), 1e-7);
        assertEquals(0.0, f.get("shiftDifference"), 1e-16);
    }

    @Test
    void stackedLinearLayersCollapse() throws IOException {
        Map<String, Double> f = run(new LinearCollapse());
        assertTrue(f.get("maxDifference") < 1e-14, f.toString());
        assertEquals(40 + 54 + 14, f.get("stackedParameters"));
        assertEquals(10.0, f.get("collapsedParameters"));
        assertTrue(f.get("linearMidpointDefect") < 1e-14);
        assertTrue(f.get("reluMidpointDefect") > 1e-3);
    }

    @Test
    void outputsAndLosses() throws IOException {
        Map<String, Double> f = run(new OutputsAndLosses());
        assertEquals(Math.log1p(Math.exp(-1.2)), f.get("binary"), 1e-12);
        assertEquals(0.4170300162, f.get("multiClass"), 1e-9);
        assertEquals(0.625, f.get("regression"), 1e-15);
        assertEquals((Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(-0.5))) / 3, f.get("multiLabel"), 1e-12);
        assertEquals(1.0, f.get("hierarchicalSoftmaxImplemented"));
        assertTrue(printed.contains("./nabla course hierarchical-softmax"), printed);
    }

    @Test
    void hierarchicalSoftmax() throws IOException {
        Map<String, Double> f = run(new HierarchicalSoftmaxProgram());
        assertEquals(f.get("catProduct"), f.get("catLayer"), 1e-14);
        assertEquals(-Math.log(f.get("catProduct")), f.get("catLoss"), 1e-12);
        assertEquals(1.0, f.get("sum"), 1e-14);
        assertEquals(17.0, f.get("pathNodes"));
        assertTrue(f.get("hsMs") > 0 && f.get("fullMs") > 0, f.toString());
        assertTrue(printed.contains("code"), printed);
    }

    @Test
    void crossEntropyWithTheNaturalLogAndTheMidtermsLog10() throws IOException {
        Map<String, Double> f = run(new CrossEntropy());
        assertEquals(2.302585, f.get("ce1"), 1e-6);
        assertEquals(0.510826, f.get("ce2"), 1e-6);
        assertEquals(1.0, f.get("ce1log10"), 1e-12);
        assertEquals(0.2218, f.get("ce2log10"), 1e-4);
        assertTrue(Math.abs(f.get("h_p_q") - f.get("h_q_p")) > 1e-3, "not symmetric");
        assertEquals(100.0, f.get("zeroProbability"), 1e-9);
        assertEquals(1000 + Math.log(2), f.get("fromLogits"), 1e-9);
        assertTrue(printed.contains("2.302585") && printed.contains("0.510826") && printed.contains("0.2218"), printed);
    }

    @Test
    void batchNormOfABatchOfOne() throws IOException {
        Map<String, Double> f = run(new BatchNormBatchOfOne());
        assertTrue(f.get("batch4MaxMean") < 1e-12);
        assertEquals(1.0, f.get("batch4MinVariance"), 1e-4);
        assertEquals(0.0, f.get("batch1OutputMinusBeta"), 0.0);
        assertEquals(0.0, f.get("batch1InputGradient"), 0.0);
        assertEquals(1.0, f.get("refused"));
        assertEquals(3.0, f.get("evalBatchOfOne"), "evaluation mode takes a batch of one");
        assertTrue(printed.contains("Expected more than 1 value per channel when training"), printed);
    }

    @Test
    void learningCurvesShowUnderfittingAndOverfitting() throws IOException {
        Map<String, Double> f = run(new Underfitting());
        assertTrue(f.get("linearTrainAt50") < 0.75 && f.get("linearTrainAtAll") < 0.65, "a linear model underfits spirals: " + f);
        assertTrue(f.get("mlpTrainAt50") > 0.9, "the MLP fits 50 examples: " + f);
        assertTrue(f.get("mlpValidationAt50") < f.get("mlpTrainAt50") - 0.05, "and overfits them: " + f);
        assertTrue(f.get("mlpValidationAtAll") > 0.95, "more data generalizes: " + f);
        png(dir.resolve("learning-curves.png"), 800, 500);
    }

    @Test
    void constantInitializationKeepsHiddenUnitsIdentical() throws IOException {
        Map<String, Double> f = run(new WeightSymmetry());
        assertEquals(0.0, f.get("constantMaxDifference"), 0.0, "exactly equal");
        assertTrue(f.get("randomMaxDifference") > 0.1, f.toString());
        assertTrue(f.get("constantLoss") > 0.1, "one unit repeated cannot fit XOR: " + f);
        assertTrue(f.get("randomLoss") < 0.01, "random init fits XOR: " + f);
        assertTrue(printed.contains("largest difference between two hidden units: 0 (exactly)"), printed);
    }

    @Test
    void vanishingGradientsOfADeepSigmoidNetwork() throws IOException {
        Map<String, Double> f = run(new VanishingGradients());
        assertTrue(f.get("sigmoidFirstOverLast") < 1e-6, f.toString());
        assertTrue(f.get("reluFirstOverLast") > 0.02, f.toString());
        assertTrue(f.get("sigmoidAccuracy") < 0.65, "the deep sigmoid network hardly learns: " + f);
        assertTrue(f.get("reluAccuracy") > 0.9, "ReLU + He learns: " + f);
        assertTrue(f.get("batchNormFirstOverLast") > 0.02, f.toString());
        assertTrue(f.get("batchNormAccuracy") > 0.9, "ReLU + He + BatchNorm learns: " + f);
        assertTrue(f.get("sigmoidWarnings") >= 1);
        assertEquals(0.0, f.get("reluWarnings"));
        assertTrue(printed.contains("vanishing gradients"), printed);
        png(dir.resolve("vanishing.png"), 900, 550);
        png(dir.resolve("vanishing-sigmoid-epochs.png"), 900, 550);
        png(dir.resolve("vanishing-relu-epochs.png"), 900, 550);
    }

    @Test
    void gradientCheckFindsTheBug() throws IOException {
        Map<String, Double> f = run(new GradientCheck());
        assertTrue(f.get("correctRelativeError") < 1e-7, f.toString());
        assertEquals(1.0, f.get("buggyRelativeError"), 1e-6);
        assertEquals(1.0, f.get("gradcheckPassed"));
    }

    @Test
    void aGansDiscriminatorLearnsRealVersusGeneratedNotTheClass() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dev.nabla.data.FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed");
        Map<String, Double> f = run(new GanDiscriminator(1024, 2));
        assertTrue(f.get("realLate") > f.get("generatedLate"), f.toString());
        for (double v : f.values()) assertTrue(v >= 0 && v <= 1, f.toString());
        assertTrue(printed.contains("real Fashion-MNIST images, label 1") && printed.contains("Ankle boot"), printed);
    }
}
