/** The vocabulary of communication: collectives, link tiers with their α–β costs, and a node/network layout. */
package gemmcost.comm;
