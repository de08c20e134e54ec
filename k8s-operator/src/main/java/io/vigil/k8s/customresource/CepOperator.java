package io.vigil.k8s.customresource;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A CEP operator running on a {@link FunctionHost} pool. The same resource, with
 * {@code spec.sourceFile}, is what {@code vigil deploy -f} takes locally.
 */
@Group(CepOperator.GROUP)
@Version(CepOperator.VERSION)
@ShortNames("cep")
public class CepOperator extends CustomResource<CepOperatorSpec, CepOperatorStatus> implements Namespaced {
    public static final String GROUP = "vigil.io";
    public static final String VERSION = "v1alpha1";
}
