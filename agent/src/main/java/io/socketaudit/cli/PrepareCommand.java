package io.socketaudit.cli;

import io.socketaudit.agent.AgentRuntime;
import io.socketaudit.config.AgentConfig;
import io.socketaudit.config.ConfigException;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;

/**
 * {@code prepare}: fills the woven class cache for the JDK running the command, so that an application's first
 * start with the agent does not pay Byte Buddy's cold start either (every later start skips it anyway).
 */
final class PrepareCommand extends Command {

    PrepareCommand() {
        super("prepare", "weave this JDK's socket classes into the agent's cache ahead of the first start",
                List.of("prepare [--cache DIR]"),
                """
                Weaves the agent's advice into the socket classes of the JDK that runs this command and writes
                them into the woven class cache, where the agent takes them at start instead of loading Byte Buddy.
                An application's first start with the agent would otherwise weave them itself (about half a second
                of CPU) and write the cache for the starts after it. Run it with the java of the JDK the application
                runs on, as the user it runs as (the cache is that user's), for example while building its image.

                Options:
                  --cache DIR   the cache directory; by default the agent's: the cache option as the agent reads it
                                (-Dsocketaudit.cache, SOCKETAUDIT_CACHE), else $XDG_CACHE_HOME/socket-audit, else
                                ~/.cache/socket-audit
                """);
    }

    @Override
    void execute(List<String> args, PrintStream out, PrintStream err) throws UsageException, FailedException {
        Properties properties = new Properties();
        properties.putAll(System.getProperties());
        if (!args.isEmpty()) {
            if (args.size() != 2 || !args.get(0).equals("--cache")) {
                throw new UsageException(args.get(0).equals("--cache") ? "--cache needs a directory"
                        : "unknown argument '" + args.get(0) + "'");
            }
            properties.setProperty("socketaudit." + AgentConfig.CACHE, args.get(1));
        }
        try {
            out.println(AgentRuntime.prepareWovenClasses(properties, System.getenv()));
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new FailedException("cannot prepare the woven class cache: " + e.getMessage());
        }
    }
}
