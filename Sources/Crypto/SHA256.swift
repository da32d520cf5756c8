import CCrypto

public enum SHA256 {
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        message.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                _ = CCrypto.SHA256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        return digest
    }

    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }

    public static func hexDigest(_ text: String) -> String { Hex.encode(hash(text)) }
}
