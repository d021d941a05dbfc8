/**
 * The 34.2 % question: the seed report's Get_Time expressions evaluated literally, the same two plans as operator
 * DAGs in prefill and decode, and what the seed's expressions get wrong, each shown with a number computed here.
 */
package gemmcost.claim;
