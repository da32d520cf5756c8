import CArgon2

/// Password hashing with argon2id, at OWASP's minimum cost (t=2, m=19 MiB, p=1) unless told otherwise.
public struct Argon2id: Sendable {
    public var iterations: UInt32
    public var memoryKiB: UInt32
    public var parallelism: UInt32

    public init(iterations: UInt32 = 2, memoryKiB: UInt32 = 19_456, parallelism: UInt32 = 1) {
        self.iterations = iterations
        self.memoryKiB = memoryKiB
        self.parallelism = parallelism
    }

    /// The PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`) that holds its own parameters.
    public func hash(password: String) throws(CryptoError) -> String {
        let salt = SecureRandom.bytes(16)
        let hashLength = 32
        let encodedLength = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(salt.count), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let passwordBytes = Array(password.utf8)
        let status = passwordBytes.withUnsafeBytes { passwordBuffer in
            salt.withUnsafeBytes { saltBuffer in
                argon2id_hash_encoded(iterations, memoryKiB, parallelism,
                                      passwordBuffer.baseAddress, passwordBuffer.count,
                                      saltBuffer.baseAddress, saltBuffer.count,
                                      hashLength, &encoded, encodedLength)
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw CryptoError(message: "argon2id hashing failed: \(String(cString: argon2_error_message(status)))")
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True when `password` matches `encoded`; false for a wrong password or an unreadable hash.
    public static func verify(password: String, encoded: String) -> Bool {
        let passwordBytes = Array(password.utf8)
        return passwordBytes.withUnsafeBytes { passwordBuffer in
            argon2id_verify(encoded, passwordBuffer.baseAddress, passwordBuffer.count) == ARGON2_OK.rawValue
        }
    }
}
