package io.vigil.adapter.grpc;

import io.grpc.ManagedChannel;
import io.vigil.api.proto.FunctionSpec;

/** A function in a remote process: where it is, what it was asked to run, and how long a request may take. */
record RemoteFunction(String target, ManagedChannel channel, FunctionSpec spec, long timeoutMillis) {

    /** True when state written by {@code other}'s sessions means the same to this function's. */
    boolean sameFunctionAs(RemoteFunction other) {
        return target.equals(other.target) && spec.getFunction().equals(other.spec.getFunction());
    }

    @Override
    public String toString() {
        return "function '" + spec.getFunction() + "' at " + target;
    }
}
