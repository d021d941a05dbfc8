package gemmcost.serving;

import gemmcost.device.Device;
import java.util.Locale;
import java.util.Optional;

/** The serving engines whose default scheduling the serving model knows, and what it knows of each. */
public enum Engine {
    TRTLLM, VLLM, SGLANG;

    /** From this much memory per GPU, SGLang's default prefill chunk is 16,384 tokens. */
    static final long SGLANG_LARGE_GPU_BYTES = 160L << 30;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The engine whose {@link #id()} is {@code text}, if any. */
    public static Optional<Engine> parse(String text) {
        for (Engine e : values())
            if (e.id().equals(text))
                return Optional.of(e);
        return Optional.empty();
    }

    /**
     * The prompt tokens the engine prefills in one step by default on {@code device}: SGLang sizes its
     * {@code chunked_prefill_size} by the GPU's memory, 16,384 from 160 GiB (B200) and 8,192 below (H100, H200);
     * TensorRT-LLM's {@code max_num_tokens} and vLLM's server {@code max_num_batched_tokens} are 8,192 on every GPU.
     */
    public int stepTokens(Device device) {
        boolean largeChunks = this == SGLANG && device.memoryBytes() >= SGLANG_LARGE_GPU_BYTES;
        return largeChunks ? 2 * Workers.DEFAULT_STEP_TOKENS : Workers.DEFAULT_STEP_TOKENS;
    }

    /**
     * The KV-cache tokens a running sequence holds, for the memory the engine admits sequences by. TensorRT-LLM's
     * default capacity policy, {@code GUARANTEED_NO_EVICT}, reserves a request's prompt and its whole output when it
     * admits it: isl + osl. vLLM and SGLang allocate a sequence's pages as it grows (and preempt or retract one where
     * memory runs out), so in a closed loop's steady state, with the sequences spread over their outputs, each holds
     * isl + osl/2 on average, the mean KV length the decode step is costed at.
     */
    public long kvTokensHeld(int isl, int osl) {
        return this == TRTLLM ? (long) isl + osl : new Request(1, isl, osl).meanKvTokens();
    }
}
