import CCrypto

/// Random bytes from OpenSSL's CSPRNG, for secrets, salts and tokens.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // A CSPRNG that cannot seed leaves nothing safe to do.
        precondition(status == 1, "OpenSSL RAND_bytes failed")
        return bytes
    }
}
