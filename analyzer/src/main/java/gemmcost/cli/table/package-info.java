/** The commands that make and read GEMM tables: import-csv, merge, get-time and validate. */
package gemmcost.cli.table;
