package gemmcost.serving;

import gemmcost.Limits;
import gemmcost.deploy.Layout;
import java.util.Objects;

/**
 * {@code count} identical engine instances (workers), each laid out as {@code layout}, each attention replica
 * prefilling {@code prefillBatch} requests in one step, each worker running at most {@code maxRunning} requests at
 * once (its engine's batch limit, or what its KV cache holds; more wait to be admitted, as every engine's scheduler
 * does), each attention replica prefilling at most {@code stepTokens} prompt tokens in one step (in aggregated
 * serving {@code batching} schedules the prompts among the decode steps; a disaggregated prefill worker's
 * {@code prefillBatch} is what its budget holds already, {@link Engine#prefillBatch}); {@code schedulesAhead}: each
 * step is scheduled while the one before it runs ({@link Engine#schedulesAhead}); {@code stepBudgets}: the budgets of
 * {@code stepTokens} an attention replica's step has (TensorRT-LLM's one for each pipeline stage's batch in flight);
 * {@code kvOverNvlink}: a disaggregated prefill worker's KV connector sends over NVLink to a decode worker on its node
 * ({@link Engine#kvOverNvlink}), else over the network cards even there.
 */
public record Workers(Layout layout, int count, int prefillBatch, int maxRunning, int stepTokens, Batching batching,
                      boolean schedulesAhead, int stepBudgets, boolean kvOverNvlink) {
    public Workers {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(batching, "batching");
        if (stepTokens < 1 || stepBudgets < 1)
            throw new IllegalArgumentException("must be >= 1: step tokens=" + stepTokens + ", step budgets="
                    + stepBudgets);
        if (maxRunning < 1)
            throw new IllegalArgumentException("must be >= 1: max running=" + maxRunning);
        if (prefillBatch < 1 || prefillBatch > MAX_PREFILL_BATCH)
            throw new IllegalArgumentException("must be 1 to " + MAX_PREFILL_BATCH + ": prefill batch=" + prefillBatch);
        if (count < 1 || (long) count * layout.gpus() > Limits.MAX_GPUS)
            throw new IllegalArgumentException("must be >= 1 and span at most " + Limits.MAX_GPUS + " GPUs: workers="
                    + count + " of " + layout.gpus() + " GPUs");
    }

    /** Requests prefilled together in one step, at most: beyond any engine's prefill batch. */
    public static final int MAX_PREFILL_BATCH = 4096;

    /**
     * Prompt tokens an engine prefills in one step unless told otherwise: TensorRT-LLM's default
     * {@code max_num_tokens}, vLLM's server default {@code max_num_batched_tokens} on GPUs of 70 GiB or more but the
     * A100, and SGLang's {@code chunked_prefill_size} on GPUs of 60 to 160 GiB are all 8,192
     * ({@link Engine#stepTokens}).
     */
    public static final int DEFAULT_STEP_TOKENS = 8192;

    /** Workers whose attention replicas' steps have one budget of {@code stepTokens}, their KV sent over NVLink. */
    public Workers(Layout layout, int count, int prefillBatch, int maxRunning, int stepTokens, Batching batching,
                   boolean schedulesAhead) {
        this(layout, count, prefillBatch, maxRunning, stepTokens, batching, schedulesAhead, 1, true);
    }

    /** These workers with each step scheduled while the one before it runs ({@code ahead}), or not. */
    public Workers withSchedulesAhead(boolean ahead) {
        return new Workers(layout, count, prefillBatch, maxRunning, stepTokens, batching, ahead, stepBudgets,
                kvOverNvlink);
    }

    /** The whole prompts of {@code isl} tokens an attention replica's step holds, over all its budgets. */
    public int promptsInBudget(int isl) {
        return (int) Math.min(Integer.MAX_VALUE, (long) stepBudgets * promptsPerBudget(stepTokens, isl));
    }

    /** The whole prompts of {@code isl} tokens a budget of {@code stepTokens} holds: at least one (alone, or split). */
    public static int promptsPerBudget(int stepTokens, int isl) {
        return Math.max(1, stepTokens / isl);
    }

    public int gpus() {
        return layout.gpus() * count;
    }

    /** Requests whose prefill the workers run at once: the prefill batch of every attention replica. */
    int prefillSlots() {
        return layout.attentionReplicas() * count * prefillBatch;
    }
}
