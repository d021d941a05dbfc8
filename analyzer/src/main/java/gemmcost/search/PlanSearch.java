package gemmcost.search;

import gemmcost.cost.CostModel;
import gemmcost.cost.Costing;
import gemmcost.dag.Dag;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.plan.PlanDags;
import gemmcost.schedule.Schedule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Evaluates plans in parallel (each thread its own copy of the cost model: its Get_Time cache is not shared) and
 * ranks them by TPOT. The seed's two plans are marked where the space contains them, and the seed's baseline as
 * the seed costs it (one dense MLP instead of the experts) is evaluated next to them but not ranked: it is another
 * model.
 */
public final class PlanSearch {
    private PlanSearch() {
    }

    /** Everything a search found. {@code ranked} is fastest first; {@code seeds} are the seed's plans among them. */
    public record Result(List<Evaluated> ranked, List<Evaluated> seeds, int threads, long wallNanos) {
        public Result {
            ranked = List.copyOf(ranked);
            seeds = List.copyOf(seeds);
        }

        public int evaluated() {
            return ranked.size() + (int) seeds.stream().filter(e -> e.rank() == 0).count();
        }

        public double plansPerSecond() {
            return evaluated() / (wallNanos / 1e9);
        }
    }

    /** Evaluates every candidate; the caller has marked the ones it wants named (e.g. the seed's). */
    public static Result run(List<Candidate> space, CostModel model, int threads) {
        long start = System.nanoTime();
        Evaluated[] results = evaluate(space, model, threads);
        List<Evaluated> ranked = new ArrayList<>();
        for (Evaluated e : results)
            if (e.candidate().ranked())
                ranked.add(e);
        ranked.sort(Comparator.comparingDouble(Evaluated::tpotUs));
        List<Evaluated> seeds = new ArrayList<>();
        for (int i = 0; i < ranked.size(); i++) {
            ranked.set(i, ranked.get(i).ranked(i + 1));
            if (!ranked.get(i).candidate().seed().isEmpty())
                seeds.add(ranked.get(i));
        }
        for (Evaluated e : results)
            if (!e.candidate().ranked())
                seeds.add(e);
        return new Result(ranked, seeds, threads, System.nanoTime() - start);
    }

    /**
     * Each thread takes the next plan not yet taken, its own copy of the model with it. Plans are taken biggest
     * first (micro-batches multiply a DAG's size) so that no thread is left with a big one while the others idle.
     */
    private static Evaluated[] evaluate(List<Candidate> candidates, CostModel model, int threads) {
        Evaluated[] results = new Evaluated[candidates.size()];
        int[] order = IntStream.range(0, candidates.size()).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> candidates.get(i).deployment().plan().microBatches())
                        .reversed())
                .mapToInt(Integer::intValue).toArray();
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            CostModel own = model.withNetwork(model.network());
            for (int i = next.getAndIncrement(); i < order.length; i = next.getAndIncrement())
                results[order[i]] = evaluate(candidates.get(order[i]), own);
        };
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> workers = IntStream.range(0, threads)
                    .<Future<?>>mapToObj(t -> pool.submit(worker)).toList();
            for (Future<?> w : workers)
                w.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("plan search interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r)
                throw r;
            throw new IllegalStateException(e.getCause());
        }
        return results;
    }

    static Evaluated evaluate(Candidate candidate, CostModel model) {
        Dag dag = PlanDags.build(candidate.deployment());
        Costing costing = Costing.of(dag, model);
        double makespanUs = Schedule.of(dag, costing.timesUs()).makespanUs();
        return new Evaluated(candidate, makespanUs, costing.labels(), 0);
    }
}
