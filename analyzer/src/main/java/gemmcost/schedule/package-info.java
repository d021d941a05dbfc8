/**
 * Time on a costed DAG: the critical path with unlimited resources, and a list schedule in which the operations
 * placed on one GPU share its compute stream (communication has its own stream), with per-GPU busy time.
 */
package gemmcost.schedule;
