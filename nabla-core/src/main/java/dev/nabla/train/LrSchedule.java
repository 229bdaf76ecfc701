package dev.nabla.train;

import dev.nabla.optim.LrScheduler;
import java.util.Map;

/**
 * Steps a learning-rate scheduler at the end of every epoch; a scheduler that reacts to a metric
 * (ReduceLROnPlateau) is given the monitored value (default val_loss).
 */
public final class LrSchedule implements Callback {
    private final LrScheduler scheduler;
    private final String monitor;

    /** Steps the scheduler each epoch, monitoring val_loss when it needs a metric. */
    public LrSchedule(LrScheduler scheduler) {
        this(scheduler, "val_loss");
    }

    /** Steps the scheduler each epoch with the given logged quantity when it needs a metric. */
    public LrSchedule(LrScheduler scheduler, String monitor) {
        this.scheduler = scheduler;
        this.monitor = monitor;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        if (!scheduler.usesMetric()) {
            scheduler.step();
            return;
        }
        Double v = logs.get(monitor);
        if (v == null) {
            throw new IllegalArgumentException("LrSchedule: '" + monitor + "' is not logged; available: " + logs.keySet());
        }
        scheduler.step(v);
    }
}
