import HTTPClient
import JSON

/// An HTTP answer as a test reads it.
public struct TestResponse: CustomStringConvertible {
    public let raw: HTTPResponse

    public var status: Int { raw.status }
    public var text: String { raw.text }
    public func header(_ name: String) -> String? { raw.header(name) }

    /// The body as JSON; `.null` when it is not JSON (a test then fails on the value it expected).
    public var json: JSON { (try? JSON.parse(raw.body)) ?? .null }

    public var errorCode: String? { json["error"]?["code"]?.stringValue }

    /// The value of a cookie this response sets.
    public func cookie(_ name: String) -> String? {
        for header in raw.headerValues("Set-Cookie") {
            let first = header.split(separator: ";", maxSplits: 1).first ?? ""
            if first.hasPrefix("\(name)=") { return String(first.dropFirst(name.count + 1)) }
        }
        return nil
    }

    public func setCookieHeader(_ name: String) -> String? {
        raw.headerValues("Set-Cookie").first { $0.hasPrefix("\(name)=") }
    }

    public var description: String { "HTTP \(status) \(text.prefix(500))" }
}
