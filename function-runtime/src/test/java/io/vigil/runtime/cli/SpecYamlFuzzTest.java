package io.vigil.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.api.codec.SpecProtos;
import io.vigil.api.proto.OperatorSpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Fuzz target for the spec parser: a CepOperator document bent at random (characters flipped,
 * lines cut, values swapped for other YAML) either reads into a spec or is refused with an
 * {@link IllegalArgumentException} naming the problem; nothing else escapes, and a spec it reads
 * is one the host's checks can judge the same way.
 */
class SpecYamlFuzzTest {
    static final String VALID = """
            apiVersion: vigil.io/v1alpha1
            kind: CepOperator
            metadata:
              name: meter-alerts
            spec:
              language: esper
              keyField: meterId
              shards: 2
              source: "select 'HIGH' as rule, meterId, kwh, readAt from Reading where kwh > 9"
              options: {retention: 1 hour}
              inputSchema:
                name: Reading
                fields:
                  - {name: meterId, type: LONG}
                  - {name: kwh, type: DOUBLE, nullable: true}
                  - {name: readAt, type: TIMESTAMP}
              outputSchema:
                name: MeterAlert
                fields:
                  - {name: rule, type: STRING}
                  - {name: meterId, type: LONG}
                  - {name: kwh, type: DOUBLE}
                  - {name: readAt, type: TIMESTAMP}
            """;

    @Property
    void aDocumentReadsIntoASpecOrIsRefusedWithAReason(@ForAll("documents") String document) {
        OperatorSpec spec;
        try {
            spec = CepOperatorYaml.parse(document);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        try {
            SpecProtos.toDefinition(spec);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> valueSwapped = Combinators.combine(Arbitraries.integers().between(0, 40), yamlValues())
                .as(SpecYamlFuzzTest::swapValue);
        Arbitrary<String> bent = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, VALID.length()),
                Arbitraries.chars().ascii()).as(SpecYamlFuzzTest::bend);
        Arbitrary<String> random = Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\t', ':', '-', '{', '}', '[', ']')
                .ofMaxLength(300);
        return Arbitraries.frequencyOf(Tuple.of(4, valueSwapped), Tuple.of(4, bent), Tuple.of(1, random), Tuple.of(1, Arbitraries.just(VALID)));
    }

    private static Arbitrary<String> yamlValues() {
        return Arbitraries.of("", "~", "null", "[]", "{}", "[1, 2]", "{a: b}", "-1", "0", "99999999999999999999", "1.5", "true",
                "'x'", "\"\\u0000\"", "&a x", "*a", "!!binary AAAA", "|\n  text", "\"a/b\"", "'Bad_Name'", "\"" + "n".repeat(200) + "\"");
    }

    /** The document with the value of its {@code line}-th "key: value" line replaced by {@code value}. */
    private static String swapValue(int line, String value) {
        String[] lines = VALID.split("\n", -1);
        int seen = 0;
        for (int i = 0; i < lines.length; i++) {
            int colon = lines[i].indexOf(": ");
            if (colon > 0 && seen++ == line % 30) {
                lines[i] = lines[i].substring(0, colon + 2) + value;
                break;
            }
        }
        return String.join("\n", lines);
    }

    private static String bend(int how, int at, char c) {
        int where = Math.min(at, VALID.length());
        return switch (how) {
            case 0 -> VALID.substring(0, where) + c + VALID.substring(where);
            case 1 -> VALID.substring(0, where);
            default -> where == VALID.length() ? VALID : VALID.substring(0, where) + c + VALID.substring(where + 1);
        };
    }
}
