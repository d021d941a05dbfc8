package gemmcost.model.hf;

import java.util.Set;
import java.util.TreeSet;

/**
 * Sliding-window attention in {@code layers} (from 0): each query attends to the last {@code tokens} tokens only.
 * With {@code freesOutside} a sequence's cache in those layers holds at most that many, the engine freeing what
 * slides out (vLLM's hybrid KV-cache manager, TensorRT-LLM's per-window cyclic cache, SGLang's SWA pool); without, it
 * holds every token as a full-attention layer's does (vLLM with a KV connector turns its hybrid manager off, and a
 * prefill step writes a whole prompt before any of it slides out). Attention reads the window either way.
 */
public record SlidingWindow(int tokens, Set<Integer> layers, boolean freesOutside) {
    public SlidingWindow {
        if (tokens < 1)
            throw new IllegalArgumentException("must be >= 1: tokens=" + tokens);
        layers = Set.copyOf(layers);
        if (layers.isEmpty() || layers.stream().anyMatch(layer -> layer < 0))
            throw new IllegalArgumentException("must name at least one layer, none below 0: layers=" + layers);
    }

    /** A window whose cache frees what slides out, as every engine serves it by default. */
    public SlidingWindow(int tokens, Set<Integer> layers) {
        this(tokens, layers, true);
    }

    public boolean slides(int layer) {
        return layers.contains(layer);
    }

    /** Windowed layers in [first, last). */
    public int layersIn(int first, int last) {
        return (int) layers.stream().filter(layer -> layer >= first && layer < last).count();
    }

    /** Tokens of a {@code tokens}-long sequence a windowed layer's cache holds. */
    public long cached(long tokens) {
        return freesOutside ? Math.min(tokens, this.tokens) : tokens;
    }

    /** The windowed layers in order, for a report. */
    public TreeSet<Integer> sorted() {
        return new TreeSet<>(layers);
    }
}
