package io.vigil.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vigil.k8s.customresource.CepOperator;
import io.vigil.k8s.customresource.FunctionHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Against a real cluster, when a kubeconfig is present: the operator installed from deploy/ and
 * the two images loaded (see the module README). Creates a pool and an operator in a namespace of
 * its own, waits for the host pod and the deploy, swaps the operator by editing it, deletes it.
 */
@EnabledIf("kubeconfigPresent")
class RealClusterSmokeTest {
    static boolean kubeconfigPresent() {
        String configured = System.getenv("KUBECONFIG");
        return (configured != null && !configured.isBlank()) || Files.exists(Path.of(System.getProperty("user.home"), ".kube", "config"));
    }

    @Test
    void aPoolAndAnOperatorComeUpAndSwapOnACluster() throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            assertThat(client.apps().deployments().inNamespace("vigil-system").withName("vigil-operator").get())
                    .as("the operator is installed: kubectl apply -f k8s-operator/deploy/crds/ -f k8s-operator/deploy/operator.yaml").isNotNull();
            String namespace = "vigil-smoke-" + UUID.randomUUID().toString().substring(0, 8);
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
            try {
                FunctionHost pool = VigilOperatorTest.pool("smoke-hosts");
                pool.getMetadata().setNamespace(namespace);
                pool.getSpec().setImage(System.getenv().getOrDefault("VIGIL_HOST_IMAGE", "vigil/function-host:0.1.0"));
                pool.getSpec().getStateVolume().setSize("1Gi");
                client.resource(pool).create();
                VigilOperatorTest.await(() -> client.apps().statefulSets().inNamespace(namespace).withName("smoke-hosts").get(),
                        (StatefulSet s) -> s != null && s.getStatus() != null && Integer.valueOf(1).equals(s.getStatus().getReadyReplicas()));

                CepOperator operator = VigilOperatorTest.cepOperator("smoke", "smoke-hosts");
                operator.setMetadata(new ObjectMetaBuilder().withName("smoke").withNamespace(namespace).build());
                operator.getSpec().setSource(VigilOperatorTest.RULE.replace("LIMIT", "500"));
                client.resource(operator).create();
                VigilOperatorTest.await(() -> client.resources(CepOperator.class).inNamespace(namespace).withName("smoke").get(),
                        r -> r.getStatus() != null && Long.valueOf(1).equals(r.getStatus().getActiveVersion()));

                client.resources(CepOperator.class).inNamespace(namespace).withName("smoke").edit(r -> {
                    r.getSpec().setSource(VigilOperatorTest.RULE.replace("LIMIT", "200"));
                    return r;
                });
                CepOperator swapped = VigilOperatorTest.await(() -> client.resources(CepOperator.class).inNamespace(namespace).withName("smoke").get(),
                        r -> r.getStatus() != null && Long.valueOf(2).equals(r.getStatus().getActiveVersion()));
                assertThat(swapped.getStatus().getLastSwapMillis()).isPositive();

                client.resource(swapped).delete();
                VigilOperatorTest.await(() -> client.resources(CepOperator.class).inNamespace(namespace).withName("smoke").get(), r -> r == null);
            } finally {
                client.namespaces().withName(namespace).delete();
            }
        }
    }
}
