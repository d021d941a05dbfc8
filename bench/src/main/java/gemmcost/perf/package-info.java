/** JMH benchmarks of the analyzer's own speed (Get_Time lookups, plan search): no GPU, no measurement of one. */
package gemmcost.perf;
