package io.vigil.adapter.state;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A shard's keyed state, owned by the host: each declared state by name, holding a value (or a
 * map) per key. It outlives the function instance that declared it — a new version takes it over
 * — and is written whole into each checkpoint.
 */
final class KeyedStateStore {
    private static final int FORMAT = 1;

    /** What each state holds, such as {@code value java.lang.Long} or {@code map java.lang.String java.lang.Double}. */
    final Map<String, String> declared = new HashMap<>();
    final Map<String, Map<Object, Object>> values = new HashMap<>();
    final Map<String, Map<Object, Map<Object, Object>>> maps = new HashMap<>();

    int keys() {
        int keys = 0;
        for (Map<Object, Object> perKey : values.values()) {
            keys += perKey.size();
        }
        for (Map<Object, Map<Object, Object>> perKey : maps.values()) {
            keys += perKey.size();
        }
        return keys;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        out.writeInt(declared.size());
        for (Map.Entry<String, String> state : declared.entrySet()) {
            out.writeUTF(state.getKey());
            out.writeUTF(state.getValue());
            if (state.getValue().startsWith("value ")) {
                Map<Object, Object> perKey = values.get(state.getKey());
                out.writeInt(perKey.size());
                for (Map.Entry<Object, Object> entry : perKey.entrySet()) {
                    StateValues.write(out, entry.getKey());
                    StateValues.write(out, entry.getValue());
                }
            } else {
                Map<Object, Map<Object, Object>> perKey = maps.get(state.getKey());
                out.writeInt(perKey.size());
                for (Map.Entry<Object, Map<Object, Object>> entry : perKey.entrySet()) {
                    StateValues.write(out, entry.getKey());
                    out.writeInt(entry.getValue().size());
                    for (Map.Entry<Object, Object> item : entry.getValue().entrySet()) {
                        StateValues.write(out, item.getKey());
                        StateValues.write(out, item.getValue());
                    }
                }
            }
        }
    }

    static KeyedStateStore read(DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("state written in format " + format + ", this adapter reads " + FORMAT);
        }
        KeyedStateStore store = new KeyedStateStore();
        int states = in.readInt();
        for (int s = 0; s < states; s++) {
            String name = in.readUTF();
            String kind = in.readUTF();
            store.declared.put(name, kind);
            int keys = in.readInt();
            if (kind.startsWith("value ")) {
                Map<Object, Object> perKey = store.values.computeIfAbsent(name, n -> new HashMap<>());
                for (int k = 0; k < keys; k++) {
                    perKey.put(StateValues.read(in), StateValues.read(in));
                }
            } else {
                Map<Object, Map<Object, Object>> perKey = store.maps.computeIfAbsent(name, n -> new HashMap<>());
                for (int k = 0; k < keys; k++) {
                    Object key = StateValues.read(in);
                    int items = in.readInt();
                    Map<Object, Object> map = new HashMap<>();
                    for (int i = 0; i < items; i++) {
                        map.put(StateValues.read(in), StateValues.read(in));
                    }
                    perKey.put(key, map);
                }
            }
        }
        return store;
    }
}
