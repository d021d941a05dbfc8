/** GPU measurement: sweep planning, timing statistics and JMH benchmarks that write measured profiles. */
package gemmcost.bench;
