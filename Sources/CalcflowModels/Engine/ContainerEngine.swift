import Foundation
import HTTPClient
import JSON

/// The Docker Engine API (Docker's or podman's compatible one) over its unix socket, through libcurl.
/// The API version is negotiated once: the lower of the controller's and the daemon's, never below
/// the daemon's minimum.
public final class ContainerEngine: @unchecked Sendable {
    public static let clientVersion = "1.41"
    public let socketPath: String
    private let client = HTTPClient()
    private let lock = NSLock()
    public private(set) var apiVersion = ContainerEngine.clientVersion
    /// Podman says so with a `Libpod-API-Version` header.
    public private(set) var isPodman = false

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    struct Reply {
        var status: Int
        var json: JSON
        var body: [UInt8]
        var headers: HTTPResponse
    }

    private func send(_ method: String, _ path: String, body: JSON? = nil, versioned: Bool = true, timeoutSeconds: Int = 30) throws(ContainerEngineError) -> Reply {
        let url = "http://engine" + (versioned ? "/v\(apiVersion)" : "") + path
        var headers: [(name: String, value: String)] = []
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body?.serialized() ?? (method == "POST" ? [] : nil),
                                  unixSocketPath: socketPath, timeoutSeconds: timeoutSeconds)
        let response: HTTPResponse
        do {
            response = try lock.withLock { try client.execute(request) }
        } catch {
            throw ContainerEngineError(.engineUnreachable, "the container engine at \(socketPath) does not answer: \(error)")
        }
        return Reply(status: response.status, json: (try? JSON.parse(response.body)) ?? .null, body: response.body, headers: response)
    }

    private func failure(_ reply: Reply, _ doing: String) -> ContainerEngineError {
        let message = reply.json["message"]?.stringValue ?? reply.headers.text.prefix(300).description
        switch reply.status {
        case 404: return ContainerEngineError(.containerNotFound, "\(doing): \(message)")
        case 409: return ContainerEngineError(.conflict, "\(doing): \(message)")
        default: return ContainerEngineError(.engineFailed(status: reply.status), "\(doing): HTTP \(reply.status): \(message)")
        }
    }

    /// `GET /_ping` (unversioned) and `/version`: which engine, and which API version to speak.
    public func negotiate() throws(ContainerEngineError) {
        let ping = try send("GET", "/_ping", versioned: false, timeoutSeconds: 5)
        guard ping.status == 200 else { throw failure(ping, "ping the engine") }
        isPodman = ping.headers.header("Libpod-API-Version") != nil
        let version = try send("GET", "/version", versioned: false, timeoutSeconds: 5)
        let daemon = version.json["ApiVersion"]?.stringValue ?? ping.headers.header("API-Version") ?? Self.clientVersion
        let minimum = version.json["MinAPIVersion"]?.stringValue ?? "1.12"
        var chosen = Self.compare(daemon, Self.clientVersion) < 0 ? daemon : Self.clientVersion
        // Podman's MinAPIVersion is its libpod version (4.0.0), not a Docker API version.
        if !isPodman && Self.compare(chosen, minimum) < 0 {
            guard Self.compare(Self.clientVersion, minimum) >= 0 else {
                throw ContainerEngineError(.unsupportedVersion, "the engine needs API \(minimum) or later; calcflow-models speaks \(Self.clientVersion)")
            }
            chosen = minimum
        }
        apiVersion = chosen
    }

    /// Dotted versions compared part by part.
    static func compare(_ left: String, _ right: String) -> Int {
        let a = left.split(separator: ".").map { Int($0) ?? 0 }
        let b = right.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    public struct ContainerSummary: Sendable, Equatable {
        public var id: String
        public var labels: [String: String]
        public var running: Bool
        public var created: Int64
    }

    /// When an inspected container last started, in seconds since 1970: the engines write
    /// `State.StartedAt` as RFC 3339 with nanoseconds, which is cut to whole seconds here.
    public static func startedAt(_ inspected: JSON) -> Double? {
        guard let text = inspected["State"]?["StartedAt"]?.stringValue, text.count >= 19 else { return nil }
        guard let date = try? Date(String(text.prefix(19)) + "Z", strategy: .iso8601), date.timeIntervalSince1970 > 0 else { return nil }
        return date.timeIntervalSince1970
    }

    /// Every container, running or not, that carries `label`.
    public func containers(label: String) throws(ContainerEngineError) -> [ContainerSummary] {
        let filters: JSON = ["label": [.string(label)]]
        let reply = try send("GET", "/containers/json?all=1&filters=" + Self.escaped(filters.serializedString()))
        guard reply.status == 200 else { throw failure(reply, "list containers") }
        return (reply.json.arrayValue ?? []).map { item in
            ContainerSummary(
                id: item["Id"]?.stringValue ?? "",
                labels: (item["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                running: item["State"]?.stringValue == "running", created: item["Created"]?.integerValue ?? 0)
        }
    }

    public func imageExists(_ image: String) throws(ContainerEngineError) -> Bool {
        let reply = try send("GET", "/images/\(Self.escaped(image))/json")
        if reply.status == 404 { return false }
        guard reply.status == 200 else { throw failure(reply, "inspect image \(image)") }
        return true
    }

    /// Creates a container; an image that is not there is `imageNotFound` (nothing is pulled).
    public func create(name: String, _ specification: JSON) throws(ContainerEngineError) -> String {
        let reply = try send("POST", "/containers/create?name=" + Self.escaped(name), body: specification)
        if reply.status == 404 {
            throw ContainerEngineError(.imageNotFound, "image not found on the engine: \(specification["Image"]?.stringValue ?? "")")
        }
        guard reply.status == 201, let id = reply.json["Id"]?.stringValue else { throw failure(reply, "create container \(name)") }
        return id
    }

    public func start(_ id: String) throws(ContainerEngineError) {
        let reply = try send("POST", "/containers/\(id)/start")
        guard reply.status == 204 || reply.status == 304 else { throw failure(reply, "start container \(id.prefix(12))") }
    }

    /// SIGTERM, and SIGKILL once `graceSeconds` have passed (the engine does both).
    public func stop(_ id: String, graceSeconds: Int) throws(ContainerEngineError) {
        let reply = try send("POST", "/containers/\(id)/stop?t=\(graceSeconds)", timeoutSeconds: graceSeconds + 30)
        guard reply.status == 204 || reply.status == 304 || reply.status == 404 else { throw failure(reply, "stop container \(id.prefix(12))") }
    }

    public func remove(_ id: String) throws(ContainerEngineError) {
        let reply = try send("DELETE", "/containers/\(id)?force=true&v=true")
        guard reply.status == 204 || reply.status == 200 || reply.status == 404 else { throw failure(reply, "remove container \(id.prefix(12))") }
    }

    public func inspect(_ id: String) throws(ContainerEngineError) -> JSON {
        let reply = try send("GET", "/containers/\(id)/json")
        guard reply.status == 200 else { throw failure(reply, "inspect container \(id.prefix(12))") }
        return reply.json
    }

    /// The container's last `count` log lines, stdout and stderr together.
    public func logs(_ id: String, tty: Bool, count: Int = 50) throws(ContainerEngineError) -> [String] {
        try logs(id, tty: tty, selection: "tail=\(count)", count: count)
    }

    /// Log lines written since `since` (Unix seconds).
    public func logs(_ id: String, tty: Bool, since: Int64) throws(ContainerEngineError) -> [String] {
        try logs(id, tty: tty, selection: "since=\(since)", count: 1_000)
    }

    private func logs(_ id: String, tty: Bool, selection: String, count: Int) throws(ContainerEngineError) -> [String] {
        let reply = try send("GET", "/containers/\(id)/logs?stdout=true&stderr=true&\(selection)")
        guard reply.status == 200 else { throw failure(reply, "read the logs of \(id.prefix(12))") }
        return LogFrames.lastLines(reply.body, tty: tty, count: count)
    }
}
