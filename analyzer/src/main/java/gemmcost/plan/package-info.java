/** Deployment plans as operator DAGs: one builder per plan kind (TP×PP, MA-separation) over shared layer ops. */
package gemmcost.plan;
