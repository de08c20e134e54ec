package io.vigil.k8s.customresource;

import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Map;

public class CepOperatorSpec {
    /** The FunctionHost pool, in the same namespace, that runs the operator. */
    @Required
    private String hostPool;
    @Required
    private String language;
    /** The operator's source, inline; or see {@link #sourceFrom}. */
    private String source;
    private SourceFrom sourceFrom;
    /** A built artefact the source needs (a Java operator's jar), from a ConfigMap's binaryData. */
    private SourceFrom artifactFrom;
    @Required
    private String keyField;
    @Min(1)
    private Integer shards;
    @Required
    private SchemaSpec inputSchema;
    @Required
    private SchemaSpec outputSchema;
    /** How an update carries state: replay (the default) or fresh. */
    @Pattern("^(replay|fresh)$")
    private String statePolicy;
    private Map<String, String> options;
    /** Optional: the shard count follows the load (see {@link Autoscaling}). */
    private Autoscaling autoscaling;

    public Autoscaling getAutoscaling() {
        return autoscaling;
    }

    public void setAutoscaling(Autoscaling autoscaling) {
        this.autoscaling = autoscaling;
    }

    public String getHostPool() {
        return hostPool;
    }

    public void setHostPool(String hostPool) {
        this.hostPool = hostPool;
    }

    public String getLanguage() {
        return language;
    }

    public void setLanguage(String language) {
        this.language = language;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public SourceFrom getSourceFrom() {
        return sourceFrom;
    }

    public void setSourceFrom(SourceFrom sourceFrom) {
        this.sourceFrom = sourceFrom;
    }

    public String getKeyField() {
        return keyField;
    }

    public void setKeyField(String keyField) {
        this.keyField = keyField;
    }

    public Integer getShards() {
        return shards;
    }

    public void setShards(Integer shards) {
        this.shards = shards;
    }

    public SchemaSpec getInputSchema() {
        return inputSchema;
    }

    public void setInputSchema(SchemaSpec inputSchema) {
        this.inputSchema = inputSchema;
    }

    public SchemaSpec getOutputSchema() {
        return outputSchema;
    }

    public void setOutputSchema(SchemaSpec outputSchema) {
        this.outputSchema = outputSchema;
    }

    public String getStatePolicy() {
        return statePolicy;
    }

    public void setStatePolicy(String statePolicy) {
        this.statePolicy = statePolicy;
    }

    public SourceFrom getArtifactFrom() {
        return artifactFrom;
    }

    public void setArtifactFrom(SourceFrom artifactFrom) {
        this.artifactFrom = artifactFrom;
    }

    public Map<String, String> getOptions() {
        return options;
    }

    public void setOptions(Map<String, String> options) {
        this.options = options;
    }
}
