/**
 * Plan search: enumerates a seed deployment's TP × PP and MA-separation plans and ranks them by modeled TPOT, and a
 * HuggingFace model's serving plans on N GPUs for {@code predict --gpus}.
 */
package gemmcost.search;
