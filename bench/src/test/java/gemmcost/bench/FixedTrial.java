package gemmcost.bench;

import gemmcost.cuda.GemmBackend;
import java.util.function.DoubleSupplier;

/** A test trial whose launches take what {@code launchUs} says and whose sync-only baseline is 0.5 µs. */
record FixedTrial(DoubleSupplier launch) implements GemmBackend.GemmTrial {
    @Override
    public double launchUs() {
        return launch.getAsDouble();
    }

    @Override
    public double syncOnlyUs() {
        return 0.5;
    }

    @Override
    public void close() {
    }
}
