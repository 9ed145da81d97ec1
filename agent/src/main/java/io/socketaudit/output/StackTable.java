package io.socketaudit.output;

import io.socketaudit.event.ApplicationFrames;
import io.socketaudit.event.CapturedStack;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The distinct stacks the log has seen, each with an id that stays the same for the whole run, and which of
 * them the current file already holds. Bounded: past {@value #MAX_STACKS} distinct stacks it starts again
 * with new ids, so a stack from long ago may be written a second time. Used by the writer thread only.
 */
final class StackTable {

    static final int MAX_STACKS = 4096;

    /** {@code appCaller}: the first frame of the application's own code, outside the JDK and known libraries. */
    record Entry(int id, List<String> frames, String caller, String appCaller) {
    }

    private final Map<CapturedStack, Entry> byFrames = new HashMap<>();
    private final Map<Integer, Entry> byId = new HashMap<>();
    private final Set<Integer> inCurrentFile = new HashSet<>();
    private int lastId;

    /** The entry for this stack, new (its text made now, once) or known. */
    Entry entryFor(CapturedStack stack) {
        Entry entry = byFrames.get(stack);
        if (entry == null) {
            if (byFrames.size() >= MAX_STACKS) {
                byFrames.clear();
                byId.clear();
                inCurrentFile.clear();
            }
            List<String> frames = stack.text();
            entry = new Entry(++lastId, frames, stack.caller(), ApplicationFrames.first(frames));
            byFrames.put(stack, entry);
            byId.put(entry.id(), entry);
        }
        return entry;
    }

    /** {@code null} when the id was never given or has been forgotten. */
    Entry byId(int id) {
        return byId.get(id);
    }

    /** Whether the entry still has to be written into the current file; marks it written. */
    boolean needsWriting(Entry entry) {
        return inCurrentFile.add(entry.id());
    }

    void newFile() {
        inCurrentFile.clear();
    }
}
