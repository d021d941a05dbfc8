package gemmcost.serving;

import gemmcost.deploy.Layout;
import gemmcost.deploy.Parallelism;
import gemmcost.device.Device;
import gemmcost.model.hf.Architecture;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The serving engines whose default scheduling the serving model knows, and what it knows of each. */
public enum Engine {
    TRTLLM, VLLM, SGLANG;

    /** The engine whose defaults apply where none is named: TensorRT-LLM's are the generic ones. */
    public static final Engine DEFAULT = TRTLLM;

    /** vLLM 0.14, out by 21 January 2026 (the day projects' dependency bots took it up), turned async scheduling on. */
    private static final int VLLM_ASYNC_SCHEDULING_MINOR = 14;
    private static final LocalDate VLLM_ASYNC_SCHEDULING_RELEASED = LocalDate.of(2026, 1, 21);
    private static final Pattern RELEASE = Pattern.compile("v?(\\d{1,4})\\.(\\d{1,4})");
    private static final Pattern FULL_RELEASE =
            Pattern.compile("v?\\d{1,4}\\.\\d{1,4}(\\.\\d{1,4})?(\\.?(rc|post|dev)\\d*)?");

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@code text} is a release number as a user writes one: "0.12.0", "v0.14.1", "1.0.0rc3", "0.8.1.post1".
     * ({@link #schedulesAhead} reads a data row's version more leniently: its leading major.minor.)
     */
    public static boolean isRelease(String text) {
        return FULL_RELEASE.matcher(text).matches();
    }

    /** The engine whose {@link #id()} is {@code text}, if any. */
    public static Optional<Engine> parse(String text) {
        for (Engine e : values())
            if (e.id().equals(text))
                return Optional.of(e);
        return Optional.empty();
    }

    /** vLLM's smaller server step budget, for GPUs under 70 GiB and A100s (its {@code get_batch_defaults}). */
    private static final int VLLM_SMALL_GPU_STEP_TOKENS = 2048;
    /** vLLM's server {@code max_num_seqs} per rank on GPUs of 70 GiB or more but the A100, and on the others. */
    private static final int VLLM_LARGE_GPU_MAX_SEQS = 1024;
    private static final int VLLM_SMALL_GPU_MAX_SEQS = 256;
    /** TensorRT-LLM's default {@code max_batch_size} per rank (its LLM API and {@code trtllm-serve}). */
    private static final int TRTLLM_MAX_BATCH_SIZE = 2048;
    private static final long VLLM_LARGE_GPU_BYTES = 70 * Device.GIB;

    /**
     * The prompt tokens each of {@code attentionReplicas} attention replicas prefills in one step by default on
     * {@code device}. TensorRT-LLM's {@code max_num_tokens} is 8,192 on every GPU, per rank. vLLM's server
     * {@code max_num_batched_tokens} is 8,192 per rank on GPUs of 70 GiB or more but the A100 ("for GPUs like H100 and
     * MI300x"), and 2,048 on the others, A100 included ("a large max_num_batched_tokens for A100 reduces throughput").
     * SGLang sizes its {@code chunked_prefill_size} by the GPU's memory (2,048 under 35 GiB, 4,096 under 60 GiB, 8,192
     * under 160 GiB, 16,384 from there: B200), and with attention data parallelism divides it among the replicas.
     */
    public int stepTokens(Device device, int attentionReplicas) {
        if (attentionReplicas < 1)
            throw new IllegalArgumentException("must be >= 1: attention replicas=" + attentionReplicas);
        if (this == TRTLLM)
            return Workers.DEFAULT_STEP_TOKENS;
        if (this == VLLM)
            return vllmLargeDefaults(device) ? Workers.DEFAULT_STEP_TOKENS : VLLM_SMALL_GPU_STEP_TOKENS;
        long memory = device.memoryBytes();
        int chunk = memory < 35 * Device.GIB ? 2048 : memory < 60 * Device.GIB ? 4096
                : memory < 160 * Device.GIB ? 8192 : 16384;
        return Math.max(1, chunk / attentionReplicas);
    }

    /**
     * The most sequences an attention replica runs at once by default on {@code device}, whatever its memory holds:
     * TensorRT-LLM's {@code max_batch_size} (2,048), vLLM's server {@code max_num_seqs} (1,024 on GPUs of 70 GiB or
     * more but the A100, else 256). SGLang's {@code max_running_requests} follows its KV pool and the model's context
     * (at most 4,096 a rank): not modeled beyond the memory check ({@link Integer#MAX_VALUE}).
     */
    public int batchLimit(Device device) {
        return switch (this) {
            case TRTLLM -> TRTLLM_MAX_BATCH_SIZE;
            case VLLM -> vllmLargeDefaults(device) ? VLLM_LARGE_GPU_MAX_SEQS : VLLM_SMALL_GPU_MAX_SEQS;
            case SGLANG -> Integer.MAX_VALUE;
        };
    }

    /** {@link #maxRunning(Layout, int, int)} with the engine's default {@link #batchLimit} on {@code device}. */
    public int maxRunning(Device device, Layout layout, int stepTokens) {
        return maxRunning(layout, stepTokens, batchLimit(device));
    }

    /**
     * The most requests a worker of {@code layout} runs at once, with prompt-and-decode steps of {@code stepTokens}
     * per attention replica and at most {@code batchLimit} sequences on each: per replica, TensorRT-LLM's batch
     * limit for each of its pipeline stages' batches in flight (its engine admits {@code pp_size × max_batch_size}),
     * vLLM's and SGLang's once; for TensorRT-LLM and vLLM no more than the step budget, which holds each running
     * sequence's decode token (SGLang's decode steps hold no prompt: its budget does not bound them).
     */
    public int maxRunning(Layout layout, int stepTokens, int batchLimit) {
        if (stepTokens < 1 || batchLimit < 1)
            throw new IllegalArgumentException("must be >= 1: step tokens=" + stepTokens + ", batch limit="
                    + batchLimit);
        long perBatch = this == SGLANG ? batchLimit : Math.min(batchLimit, stepTokens);
        return (int) Math.min(Integer.MAX_VALUE, perBatch * batchesInFlight(layout));
    }

    /**
     * The batches of at most the batch limit a worker of {@code layout} runs at once: one per attention replica, and
     * with TensorRT-LLM one per pipeline stage on each (its engine admits {@code pp_size × max_batch_size}).
     */
    public int batchesInFlight(Layout layout) {
        return layout.attentionReplicas() * batchesPerReplica(layout);
    }

    /**
     * The prompts an attention replica of a disaggregated prefill worker of {@code layout} prefills in one step: its
     * {@code batch}, no more than its step budget of prompt tokens holds (each engine's scheduler admits prompts up to
     * it; at least one, a longer prompt running alone or in chunks whose FLOPs add up to it), with TensorRT-LLM a
     * budget for each pipeline stage's batch in flight.
     */
    public int prefillBatch(Layout layout, int batch, int stepTokens, int isl) {
        if (batch < 1 || stepTokens < 1 || isl < 1)
            throw new IllegalArgumentException("must be >= 1: batch=" + batch + ", step tokens=" + stepTokens
                    + ", isl=" + isl);
        long fits = (long) Workers.promptsPerBudget(stepTokens, isl) * batchesPerReplica(layout);
        return (int) Math.min(batch, fits);
    }

    /**
     * The batches an attention replica of {@code layout} has in flight, each with its own batch limit and step
     * budget: with TensorRT-LLM one for each pipeline stage, else one.
     */
    public int batchesPerReplica(Layout layout) {
        return this == TRTLLM ? stages(layout) : 1;
    }

    private static int stages(Layout layout) {
        return layout instanceof Parallelism p ? p.pp() : 1;
    }

    /** What sets {@link #maxRunning}, in words: the engine's default batch limit on {@code device}, or that given. */
    public String runningLimit(Device device, Layout layout, int stepTokens, OptionalInt given) {
        int limit = given.orElse(batchLimit(device));
        String perReplica = maxRunning(layout, stepTokens, limit) / layout.attentionReplicas()
                + " per attention replica";
        String named = given.isPresent() ? "--max-running " + limit + " (" + limitName() + ")"
                : limitName() + (this == VLLM ? " on " + device.id() : " " + limit);
        return switch (this) {
            case TRTLLM -> "TensorRT-LLM's batch of at most " + named + " and the " + stepTokens + "-token step"
                    + (stages(layout) > 1 ? ", one in flight per pipeline stage" : "") + ": " + perReplica;
            case VLLM -> "vLLM's " + named + ", at most the " + stepTokens + "-token step: " + perReplica;
            case SGLANG -> given.isPresent() ? "SGLang's " + named + ": " + perReplica : "its KV cache";
        };
    }

    /** The engine's own name of its limit on the sequences a replica runs at once. */
    public String limitName() {
        return switch (this) {
            case TRTLLM -> "max_batch_size";
            case VLLM -> "max_num_seqs";
            case SGLANG -> "max_running_requests";
        };
    }

    /** The engine's own name of its budget of prompt tokens a step ({@link #stepTokens}). */
    public String stepTokensName() {
        return switch (this) {
            case TRTLLM -> "max_num_tokens";
            case VLLM -> "max_num_batched_tokens";
            case SGLANG -> "chunked_prefill_size";
        };
    }

    private static boolean vllmLargeDefaults(Device device) {
        return device.memoryBytes() >= VLLM_LARGE_GPU_BYTES && !device.name().toLowerCase(Locale.ROOT).contains("a100");
    }

    /**
     * The KV-cache tokens a running sequence holds, for the memory the engine admits sequences by. TensorRT-LLM's
     * default capacity policy, {@code GUARANTEED_NO_EVICT}, reserves a request's prompt and its whole output when it
     * admits it: isl + osl. vLLM and SGLang allocate a sequence's pages as it grows (and preempt or retract one where
     * memory runs out), so in a closed loop's steady state, with the sequences spread over their outputs, each holds
     * isl + osl/2 on average, the mean KV length the decode step is costed at. (SGLang's admission also keeps room
     * for a share of the running requests' remaining output, which decays to about a tenth: not counted.)
     */
    public long kvTokensHeld(int isl, int osl) {
        return this == TRTLLM ? (long) isl + osl : (long) isl + osl / 2;
    }

    /**
     * {@code count} workers of {@code layout} as the engine runs them by default: its batching, and its step
     * scheduling as the release of {@code version}, else of the day {@code measured}, else the current one has it.
     */
    public Workers workers(Layout layout, int count, int prefillBatch, int maxRunning, int stepTokens,
                           Optional<String> version, Optional<LocalDate> measured) {
        return new Workers(layout, count, prefillBatch, maxRunning, stepTokens, batching(),
                schedulesAhead(layout, version, measured), batchesPerReplica(layout), kvOverNvlink());
    }

    /**
     * {@code model} with its sliding windows' caches as the engine holds them in {@code mode}: the window's tokens,
     * but for vLLM in disagg, whose KV connector turns its hybrid KV-cache manager off (its log: "Turning off hybrid
     * kv cache manager because --kv-transfer-config is set"), so that a windowed layer holds every token as a full one
     * does, in memory and in the transfer.
     */
    public Architecture windowCaches(Architecture model, Mode mode) {
        return this == VLLM && mode == Mode.DISAGG ? model.withWholeWindowCaches() : model;
    }

    /**
     * Whether a disaggregated prefill worker's KV caches reach a decode worker on the same node over NVLink:
     * TensorRT-LLM's and vLLM's connectors (NIXL, over UCX's CUDA IPC within a node) do; SGLang's default transfer
     * backend, Mooncake, sends over RDMA (or TCP) through the network cards even there.
     */
    public boolean kvOverNvlink() {
        return this != SGLANG;
    }

    /**
     * Whether the engine, by default, schedules each step while the one before it runs, so that a request arriving
     * during a step waits for that step and for the one already scheduled: TensorRT-LLM's overlap scheduler (on by
     * default; its docs: it "introduces one extra decoding step"), SGLang's overlap scheduler (on unless
     * {@code --disable-overlap-schedule}), vLLM's async scheduling from 0.14 (its release notes: on by default). None
     * of them with pipeline stages: TensorRT-LLM and SGLang run a loop of their own without the overlap there, and
     * vLLM 0.14 left pipeline parallelism out. The release is {@code version} ("0.12.0", "v0.14.0"), else the one
     * current on the day the run was {@code measured}, else the current one.
     */
    public boolean schedulesAhead(Layout layout, Optional<String> version, Optional<LocalDate> measured) {
        if (layout instanceof Parallelism p && p.pp() > 1)
            return false;
        if (this != VLLM)
            return true;
        Optional<Matcher> release = version.map(RELEASE::matcher).filter(Matcher::lookingAt);
        if (release.isPresent())
            return Integer.parseInt(release.get().group(1)) > 0
                    || Integer.parseInt(release.get().group(2)) >= VLLM_ASYNC_SCHEDULING_MINOR;
        return measured.map(day -> !day.isBefore(VLLM_ASYNC_SCHEDULING_RELEASED)).orElse(true);
    }

    /**
     * How the engine schedules prefills among decode steps by default: SGLang runs waiting prompts as prefill steps
     * of their own before any decode step ({@code --enable-mixed-chunk} is off by default); TensorRT-LLM's in-flight
     * batching and vLLM's chunked prefill put prompt chunks into the decode steps.
     */
    public Batching batching() {
        return switch (this) {
            case TRTLLM -> Batching.MIXED;
            case VLLM -> Batching.CHUNKED;
            case SGLANG -> Batching.PREFILL_FIRST;
        };
    }
}
