/** A real model's parallel layout on GPUs (TP, PP, EP, attention DP) and whether its weights and KV cache fit. */
package gemmcost.deploy;
