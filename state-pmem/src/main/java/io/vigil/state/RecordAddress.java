package io.vigil.state;

/**
 * Where a record's payload lives: segment, byte offset of the record in it, payload length, and
 * the caller's tag (for example the shard whose state it is).
 */
public record RecordAddress(int segment, int offset, int length, int tag) {
}
