package io.vigil.benchmarks.harness;

/** What the harness compares, side by side, in one run. */
enum Variant {
    EMBEDDED_ESPER("a", "EPL embedded in a Flink KeyedProcessFunction"),
    VIGIL("b", "Vigil remote operator through the connector"),
    VIGIL_CHECKPOINTED("b+", "Vigil, exactly-once checkpoint every second"),
    VIGIL_TLS("bt", "Vigil as (b), over mutual TLS"),
    CALL_PER_EVENT("c", "one gRPC round trip per event, no batching"),
    FLINK_CEP("d", "Flink CEP pattern API"),
    HOST_ONLY("e", "function host alone, gRPC load client");

    final String letter;
    final String description;

    Variant(String letter, String description) {
        this.letter = letter;
        this.description = description;
    }
}
