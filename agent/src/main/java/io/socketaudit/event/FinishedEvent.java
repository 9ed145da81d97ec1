package io.socketaudit.event;

/** An event ready for the log: every field decided, nothing left to ask of the kernel, the stack or the connection. */
public sealed interface FinishedEvent permits CloseEvent, OpenEvent {
}
