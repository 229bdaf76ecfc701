package dev.nabla.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every epoch's logs (loss, metrics, their val_ counterparts, lr), in order, as Keras's History. */
public final class History {
    private final List<Map<String, Double>> epochs = new ArrayList<>();

    /** Appends one epoch's logs (for training loops of one's own, such as nabla-spark's parameter averaging). */
    public void add(Map<String, Double> logs) {
        epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs)));
    }

    /** The logs of each finished epoch. */
    public List<Map<String, Double>> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** One quantity over the epochs, e.g. get("val_loss"); NaN where an epoch lacks it. */
    public double[] get(String key) {
        double[] v = new double[epochs.size()];
        for (int i = 0; i < v.length; i++) v[i] = epochs.get(i).getOrDefault(key, Double.NaN);
        return v;
    }

    /** The last epoch's value of a quantity. */
    public double last(String key) {
        if (epochs.isEmpty()) throw new IllegalStateException("History.last(" + key + "): no epoch has finished");
        Double v = epochs.get(epochs.size() - 1).get(key);
        if (v == null) throw new IllegalArgumentException("History: no '" + key + "' in " + epochs.get(epochs.size() - 1).keySet());
        return v;
    }

    /** The number of finished epochs. */
    public int size() {
        return epochs.size();
    }
}
