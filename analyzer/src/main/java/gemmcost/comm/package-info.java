/**
 * The vocabulary of communication: collectives, link tiers with their α–β costs, the serving engines' one-shot
 * all-reduce, and a node/network layout.
 */
package gemmcost.comm;
