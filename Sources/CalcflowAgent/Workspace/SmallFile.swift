import Foundation
import SystemPackage

/// The agent's own small files (a pid, the claim, the spool's offset, a step's input), written whole
/// in one write, without an fsync: FoundationEssentials' `Data.write` syncs every file it writes, and
/// a campaign of small calculations paid a disk flush for each of these. What must survive a power
/// cut (the spool's updates, a step's verdict) is synced where it is written.
enum SmallFile {
    static func write(_ bytes: some Sequence<UInt8>, to url: URL) throws {
        let file = try FileDescriptor.open(FilePath(url.path), .writeOnly, options: [.create, .truncate],
                                           permissions: [.ownerReadWrite, .groupRead, .otherRead])
        try file.closeAfter { _ = try file.writeAll(bytes) }
    }

    static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }
}
