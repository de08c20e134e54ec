package io.vigil.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRDs under deploy/ are the ones the build generates from the resource classes. */
class CommittedCrdsTest {
    @Test
    void theCommittedCrdsAreTheGeneratedOnes() throws Exception {
        for (String crd : new String[] {"cepoperators.vigil.io-v1.yml", "functionhosts.vigil.io-v1.yml"}) {
            assertThat(Files.readString(Path.of("deploy", "crds", crd)))
                    .as("deploy/crds/%s is out of date: copy it from target/classes/META-INF/fabric8/", crd)
                    .isEqualTo(Files.readString(Path.of("target", "classes", "META-INF", "fabric8", crd)));
        }
    }
}
