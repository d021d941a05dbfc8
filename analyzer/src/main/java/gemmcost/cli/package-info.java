/**
 * The command line: {@code gemmcost <command>}, one picocli command per class, exit codes 0 ok · 1 internal
 * error · 2 bad input or environment. Other modules add commands through {@link gemmcost.cli.CommandPlugin}.
 */
package gemmcost.cli;
