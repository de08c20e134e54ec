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
     * Validates and compiles an operator. Called off the hot path; must not touch running instances.
     *
     * @throws OperatorCompileException with line and column of each problem in the source
     */
    CompiledOperator compile(OperatorDefinition definition) throws OperatorCompileException;
}
