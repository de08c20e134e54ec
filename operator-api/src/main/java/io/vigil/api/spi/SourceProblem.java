package io.vigil.api.spi;

/** A problem in operator source. Line and column are 1-based; 0 when the adapter cannot tell. */
public record SourceProblem(String message, int line, int column) {
    @Override
    public String toString() {
        return line > 0 ? "line " + line + ", column " + column + ": " + message : message;
    }
}
