package io.vigil.k8s.customresource;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A pool of Vigil function hosts: a StatefulSet of hosts, each with its own state volume, behind a headless Service. */
@Group(CepOperator.GROUP)
@Version(CepOperator.VERSION)
@ShortNames("vfh")
public class FunctionHost extends CustomResource<FunctionHostSpec, FunctionHostStatus> implements Namespaced {
}
