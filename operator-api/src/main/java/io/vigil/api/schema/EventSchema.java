package io.vigil.api.schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An event type: the name operator source refers to, and its fields in column order. */
public final class EventSchema {
    private final String name;
    private final List<FieldDef> fields;

    public EventSchema(String name, List<FieldDef> fields) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a schema needs a name");
        }
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("schema '" + name + "' has no fields");
        }
        Set<String> seen = new HashSet<>();
        for (FieldDef field : fields) {
            if (field.name().isBlank()) {
                throw new IllegalArgumentException("schema '" + name + "' has a field without a name");
            }
            if (!seen.add(field.name())) {
                throw new IllegalArgumentException("schema '" + name + "' declares field '" + field.name() + "' twice");
            }
        }
        this.name = name;
        this.fields = List.copyOf(fields);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<FieldDef> fields() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    public FieldDef field(int index) {
        return fields.get(index);
    }

    /** Column index of the field, or -1. */
    public int indexOf(String fieldName) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(fieldName)) {
                return i;
            }
        }
        return -1;
    }

    /** Empty when equal; otherwise the first difference, worded for an error message. */
    public String differenceFrom(EventSchema other) {
        if (!name.equals(other.name)) {
            return "event type is '" + other.name + "', expected '" + name + "'";
        }
        for (int i = 0; i < Math.max(size(), other.size()); i++) {
            if (i >= other.size()) {
                return "field '" + fields.get(i).name() + "' (" + fields.get(i) + ") is missing";
            }
            if (i >= size()) {
                return "field '" + other.field(i).name() + "' is not in the schema";
            }
            FieldDef mine = fields.get(i);
            FieldDef theirs = other.field(i);
            if (!mine.equals(theirs)) {
                return "field " + (i + 1) + " is '" + theirs + "', expected '" + mine + "'";
            }
        }
        return "";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventSchema other && name.equals(other.name) && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + fields.hashCode();
    }

    @Override
    public String toString() {
        return name + fields;
    }

    public static final class Builder {
        private final String name;
        private final List<FieldDef> fields = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder field(String fieldName, FieldKind kind) {
            fields.add(new FieldDef(fieldName, kind, false));
            return this;
        }

        public Builder nullableField(String fieldName, FieldKind kind) {
            fields.add(new FieldDef(fieldName, kind, true));
            return this;
        }

        public EventSchema build() {
            return new EventSchema(name, fields);
        }
    }
}
