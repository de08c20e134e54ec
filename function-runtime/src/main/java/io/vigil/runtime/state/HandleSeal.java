package io.vigil.runtime.state;

import com.google.protobuf.ByteString;
import io.vigil.api.proto.StateHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the state handles a host's store issues: an HMAC, with a secret kept beside the store,
 * over the operator, shard, job and store incarnation a handle names. A handle that does not carry
 * its seal (forged, or altered to name another operator, shard or job) restores nothing. Clients
 * that write handles before the acknowledgement (the connector does, at each checkpoint) take the
 * seal the host gave them when their stream opened. The checkpoint id and the host and key groups a
 * handle names are routing, not authority: a job may restore any checkpoint of its own.
 */
public final class HandleSeal {
    private static final String ALGORITHM = "HmacSHA256";
    private static final String FILE = "handle-seal.key";

    private final SecretKeySpec key;

    private HandleSeal(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /** The seal of the store in {@code stateDirectory}: its secret read from there, or made and kept there (owner-only) the first time. */
    public static HandleSeal of(Path stateDirectory) throws IOException {
        Path file = stateDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Path written = stateDirectory.resolve(FILE + ".new");
            Files.write(written, secret, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            try {
                Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // The directory's own permissions guard it.
            }
            Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        byte[] secret = Files.readAllBytes(file);
        if (secret.length < 32) {
            throw new IOException(file + " holds " + secret.length + " bytes, not the 32 of a handle seal key");
        }
        return new HandleSeal(secret);
    }

    /** For a host without a store: nothing it issues outlives it. */
    public static HandleSeal ephemeral() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new HandleSeal(secret);
    }

    /** The seal of every handle of {@code job}'s checkpoints of this operator shard in the store of {@code incarnation}. */
    public ByteString sealFor(String operator, int shard, String job, long incarnation) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(field(operator));
            mac.update(ByteBuffer.allocate(12).putInt(shard).putLong(incarnation).array());
            mac.update(field(job));
            return ByteString.copyFrom(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
    }

    public StateHandle seal(StateHandle handle) {
        return handle.toBuilder().setSeal(sealFor(handle.getOperator(), handle.getShard(), handle.getJob(), handle.getStoreIncarnation()))
                .build();
    }

    /** @throws IOException when the handle does not carry the seal this store gives it */
    public void verify(StateHandle handle) throws IOException {
        byte[] expected = sealFor(handle.getOperator(), handle.getShard(), handle.getJob(), handle.getStoreIncarnation()).toByteArray();
        if (!MessageDigest.isEqual(expected, handle.getSeal().toByteArray())) {
            throw new IOException("the handle of checkpoint " + handle.getCheckpointId() + " of operator '" + handle.getOperator()
                    + "' shard " + handle.getShard() + " (job " + handle.getJob() + ") was not issued by this host's store: its seal"
                    + (handle.getSeal().isEmpty() ? " is missing" : " does not match"));
        }
    }

    private static byte[] field(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
    }
}
