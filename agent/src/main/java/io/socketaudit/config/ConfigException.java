package io.socketaudit.config;

/** A configuration the agent will not run with; the message names the option and what is wrong with it. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
