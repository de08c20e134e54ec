package io.vigil.examples.fraud;

import io.vigil.api.codec.SchemaProtos;
import io.vigil.api.proto.OperatorSpec;
import io.vigil.api.schema.EventSchema;
import io.vigil.api.schema.FieldKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The fraud rules as one Vigil operator: schemas, key and the EPL module. */
public final class FraudRules {
    public static final String OPERATOR = "fraud-rules";

    public static final EventSchema TRANSACTION = EventSchema.builder("Txn")
            .field("txnId", FieldKind.STRING)
            .field("cardId", FieldKind.STRING)
            .field("merchantId", FieldKind.STRING)
            .field("amount", FieldKind.DOUBLE)
            .field("lat", FieldKind.DOUBLE)
            .field("lon", FieldKind.DOUBLE)
            .field("ts", FieldKind.TIMESTAMP)
            .build();

    public static final EventSchema ALERT = EventSchema.builder("Alert")
            .field("rule", FieldKind.STRING)
            .field("cardId", FieldKind.STRING)
            .field("txnId", FieldKind.STRING)
            .field("amount", FieldKind.DOUBLE)
            .field("ts", FieldKind.TIMESTAMP)
            .build();

    private FraudRules() {
    }

    public static String epl() {
        try (InputStream in = FraudRules.class.getResourceAsStream("/fraud/fraud-rules.epl")) {
            if (in == null) {
                throw new IllegalStateException("fraud/fraud-rules.epl is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One statement of the module: from its {@code @name} to the semicolon that ends a line. */
    public static String statement(String name) {
        String module = epl();
        int start = module.indexOf("@name('" + name + "')");
        if (start < 0) {
            throw new IllegalArgumentException("fraud-rules.epl has no statement " + name);
        }
        int end = module.indexOf(";\n", start);
        return module.substring(start, end < 0 ? module.length() : end + 1) + "\n";
    }

    /** The module without the statements named. */
    public static String eplWithout(String... names) {
        String module = epl();
        for (String name : names) {
            module = module.replace(statement(name).trim(), "");
        }
        return module;
    }

    public static OperatorSpec spec(int shards) {
        return spec(OPERATOR, epl(), shards);
    }

    public static OperatorSpec spec(String name, String epl, int shards) {
        return OperatorSpec.newBuilder()
                .setName(name)
                .setLanguage("esper")
                .setSource(epl)
                .setInputSchema(SchemaProtos.toProto(TRANSACTION))
                .setOutputSchema(SchemaProtos.toProto(ALERT))
                .setKeyField("cardId")
                .setShards(shards)
                .build();
    }
}
