import Foundation

/// The folders of one calculation: `<root>/<cluster>/<id>-<slug>/<step>/`. Every path it hands out
/// is checked to stay inside the calculation's folder.
struct Workspace {
    let calculationFolder: URL

    init(root: String, cluster: String, calculation: ClaimedCalculation) throws {
        calculationFolder = URL(fileURLWithPath: root).appendingPathComponent(cluster).appendingPathComponent(calculation.folderName)
        try FileManager.default.createDirectory(at: calculationFolder, withIntermediateDirectories: true)
    }

    /// A step's folder, created unless `create` is false. A step name such as "." or ".." that
    /// would not give a folder strictly inside the calculation's is refused.
    func stepFolder(_ step: String, create: Bool = true) throws -> URL {
        let folder = calculationFolder.appendingPathComponent(step)
        try inside(folder, strictly: true)
        if create { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        return folder
    }

    func write(_ text: String, to name: String, in folder: URL) throws {
        try inside(folder.appendingPathComponent(name))
        try SmallFile.write(text, to: folder.appendingPathComponent(name))
    }

    /// Refuses any path that leaves the calculation's folder (or, `strictly`, is that folder itself).
    /// Every path the agent builds goes through here.
    @discardableResult
    func inside(_ url: URL, strictly: Bool = false) throws -> URL {
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath().path
        let root = calculationFolder.standardizedFileURL.resolvingSymlinksInPath().path
        guard (resolved == root && !strictly) || resolved.hasPrefix(root + "/") else {
            throw WorkspaceError(message: "\(url.path) is outside the calculation's folder")
        }
        return url
    }

    /// Copies what matches the globs (`*.DM`, `si.save`) from one step's folder into another's.
    func copy(globs: [String], from source: URL, to destination: URL) throws -> [String] {
        var copied: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: source.path)) ?? []
        for name in names.sorted() where globs.contains(where: { Glob.matches(name, pattern: $0) }) {
            let from = try inside(source.appendingPathComponent(name))
            let to = try inside(destination.appendingPathComponent(name))
            if FileManager.default.fileExists(atPath: to.path) { try FileManager.default.removeItem(at: to) }
            try FileManager.default.copyItem(at: from, to: to)
            copied.append(name)
        }
        return copied
    }

    /// Deletes the files of a step that match the engine's large outputs; returns the bytes freed.
    func clean(_ folder: URL, patterns: [String]) throws -> Int64 {
        var freed: Int64 = 0
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where patterns.contains(where: { Glob.matches(name, pattern: $0) }) {
            let target = try inside(folder.appendingPathComponent(name))
            freed += Self.size(of: target)
            try FileManager.default.removeItem(at: target)
        }
        return freed
    }

    static func size(of url: URL) -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue {
            return ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0
        }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return children.reduce(0) { $0 + size(of: url.appendingPathComponent($1)) }
    }
}

struct WorkspaceError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Shell-style `*` and `?` on one file name.
enum Glob {
    static func matches(_ name: String, pattern: String) -> Bool {
        matches(Array(name), 0, Array(pattern), 0)
    }

    private static func matches(_ name: [Character], _ n: Int, _ pattern: [Character], _ p: Int) -> Bool {
        if p == pattern.count { return n == name.count }
        switch pattern[p] {
        case "*":
            var index = n
            while index <= name.count {
                if matches(name, index, pattern, p + 1) { return true }
                index += 1
            }
            return false
        case "?":
            return n < name.count && matches(name, n + 1, pattern, p + 1)
        default:
            return n < name.count && name[n] == pattern[p] && matches(name, n + 1, pattern, p + 1)
        }
    }
}
