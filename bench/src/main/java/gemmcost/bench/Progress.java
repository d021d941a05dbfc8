package gemmcost.bench;

import gemmcost.table.GemmShape;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/** One line per finished shape on the log, with an ETA from the mean wall time per shape so far. */
final class Progress {
    private final PrintWriter log;
    private final int total;
    private final LongSupplier nanoTime;
    private final long start;
    private int done;

    Progress(PrintWriter log, int total, LongSupplier nanoTime) {
        this.log = log;
        this.total = total;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    void finished(GemmShape shape, String what) {
        done++;
        double elapsedS = (nanoTime.getAsLong() - start) / 1e9;
        double etaS = elapsedS / done * (total - done);
        log.printf(Locale.ROOT, "[%d/%d] %s: %s  (ETA %s)%n", done, total, shape, what,
                Duration.ofSeconds(Math.round(etaS)).toString().substring(2).toLowerCase(Locale.ROOT));
        log.flush();
    }
}
