package io.vigil.runtime.cli;

import com.google.protobuf.ByteString;
import io.vigil.api.codec.CepOperatorResource;
import io.vigil.api.proto.OperatorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads an operator spec written as a {@code CepOperator} resource — the same file the local
 * launcher deploys and {@code kubectl apply} takes:
 *
 * <pre>
 * apiVersion: vigil.io/v1alpha1
 * kind: CepOperator
 * metadata:
 *   name: fraud-rules
 * spec:
 *   language: esper
 *   keyField: cardId
 *   shards: 2
 *   ...
 * </pre>
 *
 * The spec's translation is {@link CepOperatorResource}'s, shared with the Kubernetes operator.
 */
public final class CepOperatorYaml {
    private CepOperatorYaml() {
    }

    /**
     * As {@link #parse(String)}; a local file may name its source with {@code spec.sourceFile}, a
     * path relative to the file, instead of {@code spec.source}, and a Java operator's jar with
     * {@code spec.artifactFile}.
     */
    public static OperatorSpec read(Path file) throws IOException {
        String yaml = Files.readString(file);
        Map<?, ?> spec = spec(load(yaml));
        Path directory = file.toAbsolutePath().getParent();
        OperatorSpec operator;
        if (spec.get("source") == null && spec.get("sourceFile") != null) {
            parse(yaml, ""); // the resource's own mistakes first, before the file it names
            operator = parse(yaml, Files.readString(directory.resolve(String.valueOf(spec.get("sourceFile")))));
        } else {
            operator = parse(yaml);
        }
        if (spec.get("artifactFile") != null) {
            operator = operator.toBuilder()
                    .setArtifact(ByteString.copyFrom(Files.readAllBytes(directory.resolve(String.valueOf(spec.get("artifactFile"))))))
                    .build();
        }
        return operator;
    }

    /** @throws IllegalArgumentException naming what is missing or wrong, with its path in the document */
    public static OperatorSpec parse(String yaml) {
        return parse(yaml, null);
    }

    private static OperatorSpec parse(String yaml, String source) {
        Map<?, ?> root = load(yaml);
        Object metadata = root.get("metadata");
        if (!(metadata instanceof Map<?, ?> meta)) {
            throw new IllegalArgumentException("metadata must be a mapping");
        }
        Object name = meta.get("name");
        return CepOperatorResource.toOperatorSpec(name == null ? null : String.valueOf(name), spec(root), source);
    }

    private static Map<?, ?> load(String yaml) {
        Object document;
        try {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage(), e);
        }
        if (!(document instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("the document must be a mapping");
        }
        if (!CepOperatorResource.KIND.equals(root.get("kind"))) {
            throw new IllegalArgumentException("kind must be " + CepOperatorResource.KIND + ", not " + root.get("kind"));
        }
        if (!CepOperatorResource.API_VERSION.equals(root.get("apiVersion"))) {
            throw new IllegalArgumentException("apiVersion must be " + CepOperatorResource.API_VERSION + ", not " + root.get("apiVersion"));
        }
        return root;
    }

    private static Map<?, ?> spec(Map<?, ?> root) {
        if (!(root.get("spec") instanceof Map<?, ?> spec)) {
            throw new IllegalArgumentException("spec must be a mapping");
        }
        return spec;
    }
}
