package io.vigil.k8s.customresource;

import io.fabric8.generator.annotation.Required;
import java.util.List;

/** An event schema: a name and typed fields (BOOLEAN, INT, LONG, DOUBLE, STRING, TIMESTAMP). */
public class SchemaSpec {
    @Required
    private String name;
    @Required
    private List<FieldSpec> fields;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<FieldSpec> getFields() {
        return fields;
    }

    public void setFields(List<FieldSpec> fields) {
        this.fields = fields;
    }

    public static class FieldSpec {
        @Required
        private String name;
        @Required
        @io.fabric8.generator.annotation.Pattern("^(BOOLEAN|INT|LONG|DOUBLE|STRING|TIMESTAMP)$")
        private String type;
        private Boolean nullable;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getType() {
            return type;
        }

        public void setType(String type) {
            this.type = type;
        }

        public Boolean getNullable() {
            return nullable;
        }

        public void setNullable(Boolean nullable) {
            this.nullable = nullable;
        }
    }
}
