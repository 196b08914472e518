package dev.tollgate.tenant;

/** A key just created: the only moment the plain key exists outside the caller's hands. */
public record CreatedKey(StoredKey stored, String key) {
    @Override
    public String toString() {
        return "CreatedKey[" + stored.id() + "]";
    }
}
