/** Plan search: enumerates TP × PP and MA-separation plans for a GPU count and ranks them by modeled TPOT. */
package gemmcost.search;
