/** The device catalog (dense datasheet peaks per GPU and dtype) and the roofline speed-of-light model built from it. */
package gemmcost.device;
