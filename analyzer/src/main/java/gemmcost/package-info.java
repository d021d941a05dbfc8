/** Cross-cutting basics of gemmcost: the user-error exception and the tool's build identity. */
package gemmcost;
