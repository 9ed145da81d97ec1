package io.socketaudit.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code help [COMMAND]}: the list of commands, or one command's usage and options. */
final class HelpCommand extends Command {

    HelpCommand() {
        super("help", "print this text, or a command's usage and options",
                List.of("help [COMMAND]"),
                "Without COMMAND, lists the commands; with it, prints that command's usage and options.\n");
    }

    @Override
    void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        if (args.isEmpty()) {
            Main.printOverview(out);
            return;
        }
        if (args.size() > 1) {
            throw new UsageException("takes at most one command name");
        }
        Main.command(args.get(0))
                .orElseThrow(() -> new UsageException("unknown command '" + args.get(0) + "'"))
                .printHelp(out);
    }
}
