/** Measured serving runs (TTFT and TPOT of real engines): reading them, and checking predict's model against them. */
package gemmcost.silicon;
