package gemmcost.cli;

/**
 * A subcommand contributed by another module (e.g. {@code bench}), found with {@link java.util.ServiceLoader}:
 * list the implementing class in {@code META-INF/services/gemmcost.cli.CommandPlugin}. It needs a public
 * no-argument constructor.
 */
public interface CommandPlugin {
    /**
     * A new picocli command object: an instance of a class annotated with {@code @Command(name = ...)}, or a
     * {@code picocli.CommandLine}. Errors that are the user's fault should be thrown as
     * {@link gemmcost.BadInputException}.
     */
    Object command();

    /**
     * Whether the command hands {@code -h}/{@code --help} to a tool it wraps (JMH has its own) instead of printing
     * gemmcost's usage; the command then offers its own usage some other way.
     */
    default boolean passesHelpThrough() {
        return false;
    }
}
