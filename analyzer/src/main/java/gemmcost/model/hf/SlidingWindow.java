package gemmcost.model.hf;

import java.util.Set;
import java.util.TreeSet;

/**
 * Sliding-window attention in {@code layers} (from 0): each query attends to the last {@code tokens} tokens only, so a
 * sequence caches at most that many in those layers. Every engine frees what slides out of the window (vLLM's
 * sliding-window KV-cache manager, TensorRT-LLM's per-window cyclic cache, SGLang's SWA pool), so a windowed layer
 * holds and reads at most {@code tokens} of each sequence, whatever its length.
 */
public record SlidingWindow(int tokens, Set<Integer> layers) {
    public SlidingWindow {
        if (tokens < 1)
            throw new IllegalArgumentException("must be >= 1: tokens=" + tokens);
        layers = Set.copyOf(layers);
        if (layers.isEmpty() || layers.stream().anyMatch(layer -> layer < 0))
            throw new IllegalArgumentException("must name at least one layer, none below 0: layers=" + layers);
    }

    public boolean slides(int layer) {
        return layers.contains(layer);
    }

    /** Windowed layers in [first, last). */
    public int layersIn(int first, int last) {
        return (int) layers.stream().filter(layer -> layer >= first && layer < last).count();
    }

    /** Tokens of a {@code tokens}-long sequence a windowed layer keeps and reads. */
    public long tokensHeld(long tokens) {
        return Math.min(tokens, this.tokens);
    }

    /** The windowed layers in order, for a report. */
    public TreeSet<Integer> sorted() {
        return new TreeSet<>(layers);
    }
}
