package gemmcost.model.hf;

/**
 * How grouped-query attention norms its query and key heads after the QKV projection, before the rotary embedding:
 * not at all (Llama, Mixtral), each head by an RMSNorm of its own width shared by all heads (Qwen3's {@code q_norm}
 * and {@code k_norm}, always on in its classes), or the whole layer's query and key each as one vector (MiniMax-M2's
 * {@code per_layer}), which tensor-parallel GPUs can only do after summing their heads' squares together.
 */
public enum QkNorm {
    NONE, PER_HEAD, PER_LAYER
}
