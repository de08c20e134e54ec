package io.vigil.state;

/** How the store makes a write durable. */
public enum DurabilityMode {
    /** Mapped with {@code ExtendedMapMode.READ_WRITE_SYNC} on a DAX file system: a flush is a cache-line write-back. */
    PMEM_SYNC,
    /** An ordinary mapped file: a flush is {@code MappedByteBuffer.force}, which writes pages back to the device. */
    MAPPED_FORCE
}
