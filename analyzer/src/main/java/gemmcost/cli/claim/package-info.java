/** The commands that check the seed's claim: check-claim (with its AFD sweep) and seed-formulas. */
package gemmcost.cli.claim;
