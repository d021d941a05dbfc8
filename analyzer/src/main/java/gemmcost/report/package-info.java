/** What the analyzer prints: text for people and JSON for programs, every number with its label. */
package gemmcost.report;
