import Crypto

/// Random secrets handed to clients (refresh tokens, API keys) and the hash the database keeps of them.
public enum OpaqueToken {
    public static func generate(prefix: String = "", bytes: Int = 32) -> String {
        prefix + Base64URL.encode(SecureRandom.bytes(bytes))
    }

    /// SHA-256, hex: the token has 256 bits of entropy, so a slow hash would add nothing.
    public static func hash(_ token: String) -> String {
        SHA256.hexDigest(token)
    }
}
