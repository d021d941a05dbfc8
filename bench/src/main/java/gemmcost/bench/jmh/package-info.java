/** The GEMM under JMH: one shape per benchmark, its GPU-event time reported beside JMH's host time. */
package gemmcost.bench.jmh;
