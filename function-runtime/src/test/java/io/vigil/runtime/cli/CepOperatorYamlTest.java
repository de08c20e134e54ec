package io.vigil.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A CepOperator's namespace is its tenant on the host: {@code tenant/name}. */
class CepOperatorYamlTest {
    @Test
    void aNamespaceBecomesTheOperatorsTenant() {
        String inAcme = SpecYamlFuzzTest.VALID.replace("  name: meter-alerts\n", "  name: meter-alerts\n  namespace: acme\n");
        assertThat(CepOperatorYaml.parse(inAcme).getName()).isEqualTo("acme/meter-alerts");
        String inDefault = SpecYamlFuzzTest.VALID.replace("  name: meter-alerts\n", "  name: meter-alerts\n  namespace: default\n");
        assertThat(CepOperatorYaml.parse(inDefault).getName()).isEqualTo("meter-alerts");
        assertThat(CepOperatorYaml.parse(SpecYamlFuzzTest.VALID).getName()).isEqualTo("meter-alerts");
    }
}
