package gemmcost.serving;

/** How an engine's scheduler fits new prompts among running sequences in aggregated serving. */
public enum Batching {
    /**
     * A step carries whole prompts beside the running sequences' decode tokens (TensorRT-LLM's in-flight batching;
     * its chunked context is off by default, and a prompt over {@code max_num_tokens} is refused then): requests that
     * arrive together start decoding one step apart, finish apart, and are replaced apart, so a closed loop settles
     * into a staggered steady state after its first round.
     */
    MIXED,
    /**
     * As {@link #MIXED}, but a prompt is split into chunks of what the step's budget leaves beside the running
     * sequences' one decode token each (vLLM's chunked prefill, always on in its V1 engine).
     */
    CHUNKED,
    /**
     * Waiting prompts run as prefill steps of their own before the next decode step, never mixed with it (SGLang
     * unless {@code --enable-mixed-chunk}): a round of equal requests that arrives together is prefilled, decodes
     * together, finishes together and comes back together, so the waves last.
     */
    PREFILL_FIRST
}
