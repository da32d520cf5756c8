import JSON

public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ value: JSON, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: value.serialized())
    }

    public static let noContent = Response(status: 204)

    /// What a handler returns after writing its response through `RequestContext.stream`.
    public static let streamed = Response(status: 200)

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The CGI response head and body, as written to the FastCGI stream.
    func serialized(requestID: String) -> [UInt8] {
        var head = "Status: \(status) \(HTTPStatus.reason(status))\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        if header("Cache-Control") == nil { head += "Cache-Control: no-store\r\n" }
        if !requestID.isEmpty { head += "X-Request-Id: \(requestID)\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }
}
