/**
 * Get_Time(m, k, n) for any shape: exact on measured points, interpolated in roofline-efficiency space
 * elsewhere, bounded by the speed of light, and every answer labelled with how it was obtained.
 */
package gemmcost.gettime;
