package io.vigil.api.spi;

/**
 * A specification language the function host can run. Implementations are discovered with
 * {@link java.util.ServiceLoader} from a plugin folder, each plugin in its own class loader, so an
 * adapter may bring any dependencies it likes; only {@code io.vigil.api} is shared with the host.
 */
public interface LanguageAdapter {

    /** The name specs use in their {@code language} field, for example {@code esper}. */
    String language();

    /**
     * The host's settings for this language (what operators of it may do on this host), given
     * once, before the first compile. An adapter refuses a setting it does not know.
     *
     * @throws IllegalArgumentException naming a setting it does not take
     */
    default void configure(java.util.Map<String, String> settings) {
        if (!settings.isEmpty()) {
            throw new IllegalArgumentException("language '" + language() + "' takes no host settings, not " + settings.keySet());
        }
    }

    /**
     * Validates and compiles an operator. Called off the hot path; must not touch running instances.
     *
     * @throws OperatorCompileException with line and column of each problem in the source
     */
    CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException;
}
