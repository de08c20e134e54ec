package io.vigil.state;

import java.io.IOException;
import java.util.List;

/**
 * The store found damage on opening: records that were durable are unreadable, or a file of it is.
 * It opens only when told to discard what is damaged ({@link StoreOptions#discardDamaged()}); it then
 * keeps every checkpoint that is still intact and says what it set aside.
 */
public final class StoreDamagedException extends IOException {
    private final List<String> damage;

    StoreDamagedException(java.nio.file.Path directory, List<String> damage) {
        super("the state store in " + directory + " is damaged: " + String.join("; ", damage)
                + ". Nothing was changed. To keep every checkpoint that is still intact and set the damaged data aside,"
                + " start again telling the store to discard damaged checkpoints (vigil host --discard-damaged-checkpoints)");
        this.damage = List.copyOf(damage);
    }

    /** Each damaged place, and each checkpoint lost with it. */
    public List<String> damage() {
        return damage;
    }
}
