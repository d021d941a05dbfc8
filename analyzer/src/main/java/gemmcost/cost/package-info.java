/**
 * What each DAG node costs: GEMMs from Get_Time, memory-bound operations as bytes over the device's bandwidth,
 * communication from an α–β model with nccl-tests bus-bandwidth factors per network tier; every time labelled.
 */
package gemmcost.cost;
