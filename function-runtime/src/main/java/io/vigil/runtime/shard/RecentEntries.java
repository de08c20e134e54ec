package io.vigil.runtime.shard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last {@code kept} entries added, read newest first; for rare events (swaps, checkpoints, versions), so it locks. */
public final class RecentEntries<T> {
    private final int kept;
    private final ArrayDeque<T> entries = new ArrayDeque<>();

    public RecentEntries(int kept) {
        this.kept = kept;
    }

    public synchronized void add(T entry) {
        if (entries.size() == kept) {
            entries.removeFirst();
        }
        entries.addLast(entry);
    }

    public synchronized List<T> newestFirst() {
        List<T> list = new ArrayList<>(entries.size());
        entries.descendingIterator().forEachRemaining(list::add);
        return list;
    }
}
