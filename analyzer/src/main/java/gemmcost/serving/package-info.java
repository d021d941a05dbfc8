/** Serving metrics of a real model: the cost of its prefill and decode steps, and TTFT, TPOT and tokens/s/GPU. */
package gemmcost.serving;
