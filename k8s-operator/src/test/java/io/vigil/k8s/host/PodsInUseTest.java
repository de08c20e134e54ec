package io.vigil.k8s.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vigil.k8s.customresource.CepOperator;
import io.vigil.k8s.customresource.CepOperatorSpec;
import io.vigil.k8s.customresource.CepOperatorStatus;
import io.vigil.k8s.customresource.FunctionHost;
import io.vigil.k8s.customresource.FunctionHostSpec;
import io.vigil.k8s.customresource.OperatorPlacement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class PodsInUseTest {
    static KubernetesClient client;

    @BeforeAll
    static void crds() throws Exception {
        try (Stream<Path> crds = Files.list(Path.of("target", "classes", "META-INF", "fabric8"))) {
            for (Path crd : crds.filter(f -> f.toString().endsWith("-v1.yml")).toList()) {
                client.apiextensions().v1().customResourceDefinitions().load(crd.toFile()).create();
            }
        }
    }

    @Test
    void aPoolKeepsThePodsThatServeShardsAndThoseWhoseStreamsHaveNotCutOverYet() {
        FunctionHost pool = new FunctionHost();
        pool.setMetadata(new ObjectMetaBuilder().withName("pool").withNamespace("ns").build());
        pool.setSpec(new FunctionHostSpec());
        pool.getSpec().setReplicas(1);
        assertThat(PodsInUse.replicas(pool, client)).isEqualTo(1);

        OperatorPlacement placement = new OperatorPlacement();
        OperatorPlacement.PlacedShard shard = new OperatorPlacement.PlacedShard();
        shard.setShard(0);
        shard.setPod(1);
        placement.getShards().add(shard);
        CepOperator operator = new CepOperator();
        operator.setMetadata(new ObjectMetaBuilder().withName("rules").withNamespace("ns").build());
        operator.setSpec(new CepOperatorSpec());
        operator.getSpec().setHostPool("pool");
        operator.setStatus(new CepOperatorStatus());
        operator.getStatus().setPlacement(placement);
        CepOperator created = client.resource(operator).create();
        created.setStatus(operator.getStatus());
        client.resource(created).updateStatus();
        assertThat(PodsInUse.replicas(pool, client)).as("its shard is on pod 1").isEqualTo(2);

        placement.setCuttingOverPods(List.of(2));
        client.resources(CepOperator.class).inNamespace("ns").withName("rules").editStatus(r -> {
            r.setStatus(operator.getStatus());
            return r;
        });
        assertThat(PodsInUse.replicas(pool, client)).as("pod 2 still serves the job's streams").isEqualTo(3);
    }
}
