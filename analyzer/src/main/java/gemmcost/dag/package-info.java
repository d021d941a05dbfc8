/**
 * The operator DAG: a compact array-based graph core (written by hand because a million-node DAG must fit in a
 * few int arrays and be walked in linear time; object-per-node graph libraries are 10–100× larger and slower),
 * the closed set of node kinds, and the JSON and Graphviz DOT importers.
 */
package gemmcost.dag;
