import ArgumentParser
import Foundation

/// A newly issued key, written to a file only its owner reads (mode 0600), or printed.
enum KeyFile {
    static func deliver(_ key: String, to output: String?, what: String) throws {
        guard let output else {
            print(key)
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            // The key is already stored (hashed): show it rather than lose it.
            throw ValidationError("could not write \(output); the new key is \(key) (shown once; revoke it if it is not needed)")
        }
        print("wrote a new key for \(what) to \(output)")
    }
}
