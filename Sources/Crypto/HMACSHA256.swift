import CCrypto

public enum HMACSHA256 {
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                code.withUnsafeMutableBufferPointer { output in
                    _ = HMAC(EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count),
                             messageBuffer.baseAddress, messageBuffer.count, output.baseAddress, &length)
                }
            }
        }
        return Array(code.prefix(Int(length)))
    }
}
