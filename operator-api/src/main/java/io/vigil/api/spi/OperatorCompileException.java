package io.vigil.api.spi;

import java.util.List;
import java.util.stream.Collectors;

/** The operator's source does not compile; carries every problem found with its position. */
public final class OperatorCompileException extends Exception {
    private final List<SourceProblem> problems;

    public OperatorCompileException(List<SourceProblem> problems) {
        super(problems.stream().map(SourceProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public OperatorCompileException(String message, int line, int column) {
        this(List.of(new SourceProblem(message, line, column)));
    }

    public List<SourceProblem> problems() {
        return problems;
    }
}
