/** Model and deployment-plan configs (TP×PP, MA-separation), validated on reading with one-line errors. */
package gemmcost.model;
