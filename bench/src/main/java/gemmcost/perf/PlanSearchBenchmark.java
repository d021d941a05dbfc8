package gemmcost.perf;

import gemmcost.claim.SeedDeployments;
import gemmcost.claim.SeedPlans;
import gemmcost.cost.CostModel;
import gemmcost.cost.CostModels;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.search.Candidate;
import gemmcost.search.PlanSearch;
import gemmcost.search.PlanSpace;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code gemmcost search} on the seed's model and 16 GPUs, decode: the whole search (enumerate the space, build,
 * cost and schedule every plan's DAG on all cores, rank), as the command runs it. The {@code plans} counter is
 * plans evaluated per second. Target: ≥ 10,000 plans/s. Run:
 * {@code java -cp bench/target/gemmcost.jar org.openjdk.jmh.Main PlanSearchBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseParallelGC")
public class PlanSearchBenchmark {
    /** Micro-batch counts tried: the command's default, and a deeper space of bigger DAGs. */
    @Param({"1 2 4", "1 2 4 8"})
    public String microBatches;

    private List<Candidate> space;
    private CostModel model;

    /** Plans evaluated, reported by JMH as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Plans {
        public long plans;

        @Setup(Level.Iteration)
        public void reset() {
            plans = 0;
        }
    }

    @Setup
    public void setUp() {
        Deployment seed = SeedDeployments.maSeparation(Phase.DECODE);
        List<Integer> counts = Arrays.stream(microBatches.split(" ")).map(Integer::valueOf).toList();
        space = SeedPlans.mark(new PlanSpace(16, counts).enumerate(seed, 1.0));
        model = CostModels.open(CostModels.DEFAULT_PROFILE, seed.model().dtype(), seed.network());
    }

    @Benchmark
    public PlanSearch.Result search(Plans counter) {
        PlanSearch.Result result = PlanSearch.run(space, model, Runtime.getRuntime().availableProcessors());
        counter.plans += result.evaluated();
        return result;
    }
}
