package io.vigil.runtime.cli;

import com.google.protobuf.ByteString;
import io.vigil.api.codec.CepOperatorResource;
import io.vigil.api.proto.OperatorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.vigil.api.codec.OperatorNames;
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
    /**
     * What a local file's spec may hold: the {@code CepOperator} resource's fields (the Kubernetes-only
     * {@code hostPool}, {@code sourceFrom}, {@code artifactFrom} and {@code autoscaling} are accepted so
     * one file serves both), and the local {@code sourceFile} and {@code artifactFile}.
     */
    public static final java.util.Set<String> SPEC_FIELDS = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(List.of(
            "hostPool", "language", "source", "sourceFile", "sourceFrom", "artifactFile", "artifactFrom", "keyField", "shards",
            "inputSchema", "outputSchema", "statePolicy", "options", "autoscaling")));

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

    /**
     * Where line 1 of the operator's source is in the files the user wrote: the file
     * {@code spec.sourceFile} names, line for line; or, for an inline {@code spec.source}, the
     * resource file itself, lines and columns shifted to where the source text starts.
     */
    public record SourceOrigin(Path file, int lineOffset, int columnOffset) {
        /** {@code file:line:column} of a position in the source. */
        public String at(int line, int column) {
            return line <= 0 ? file.toString() : file + ":" + (line + lineOffset) + ":" + (column + columnOffset);
        }
    }

    /** Where the source of the resource in {@code file} starts. */
    public static SourceOrigin origin(Path file) throws IOException {
        String yaml = Files.readString(file);
        Map<?, ?> spec = spec(load(yaml));
        if (spec.get("source") == null && spec.get("sourceFile") != null) {
            Path directory = file.toAbsolutePath().getParent();
            return new SourceOrigin(directory.resolve(String.valueOf(spec.get("sourceFile"))).normalize(), 0, 0);
        }
        org.yaml.snakeyaml.nodes.Node source = sourceNode(new Yaml(new SafeConstructor(new LoaderOptions()))
                .compose(new java.io.StringReader(yaml)));
        if (!(source instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar)) {
            return new SourceOrigin(file, 0, 0);
        }
        int markLine = scalar.getStartMark().getLine();
        var style = scalar.getScalarStyle();
        if (style == org.yaml.snakeyaml.DumperOptions.ScalarStyle.LITERAL || style == org.yaml.snakeyaml.DumperOptions.ScalarStyle.FOLDED) {
            // A block scalar starts on the line after its indicator, indented.
            String[] lines = yaml.split("\n", -1);
            int first = markLine + 1;
            while (first < lines.length && lines[first].isBlank()) {
                first++;
            }
            int indent = first < lines.length ? lines[first].length() - lines[first].stripLeading().length() : 0;
            return new SourceOrigin(file, markLine + 1, indent);
        }
        return new SourceOrigin(file, markLine, scalar.getStartMark().getColumn() + (style.getChar() == null ? 0 : 1));
    }

    private static org.yaml.snakeyaml.nodes.Node sourceNode(org.yaml.snakeyaml.nodes.Node root) {
        org.yaml.snakeyaml.nodes.Node spec = value(root, "spec");
        return spec == null ? null : value(spec, "source");
    }

    private static org.yaml.snakeyaml.nodes.Node value(org.yaml.snakeyaml.nodes.Node node, String key) {
        if (node instanceof org.yaml.snakeyaml.nodes.MappingNode mapping) {
            for (org.yaml.snakeyaml.nodes.NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k && k.getValue().equals(key)) {
                    return tuple.getValueNode();
                }
            }
        }
        return null;
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
        Object namespace = meta.get("namespace");
        // A namespace is the operator's tenant on the host: acme/meter-alerts.
        String qualified = name == null ? null : namespace == null || OperatorNames.DEFAULT_TENANT.equals(String.valueOf(namespace))
                ? String.valueOf(name) : namespace + "/" + name;
        return CepOperatorResource.toOperatorSpec(qualified, spec(root), source);
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
        for (Object field : spec.keySet()) {
            if (!SPEC_FIELDS.contains(String.valueOf(field))) {
                throw new IllegalArgumentException("spec." + field + " is not a field of a " + CepOperatorResource.KIND
                        + " (its fields: " + String.join(", ", SPEC_FIELDS) + ")");
            }
        }
        return spec;
    }
}
