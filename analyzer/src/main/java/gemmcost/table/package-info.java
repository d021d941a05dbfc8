/**
 * The cost-table ("profile") format: immutable records, strict JSON read/write with one-line errors, and the
 * neutral measurements CSV that external timings are imported from. The JSON schema is documented in
 * {@code profiles/README.md}.
 */
package gemmcost.table;
