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
