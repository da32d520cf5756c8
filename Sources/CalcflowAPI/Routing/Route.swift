/// One row of the routing table: method, path pattern, who may call it, and what answers.
public struct Route: Sendable {
    public typealias Handler = @Sendable (RequestContext) throws -> Response

    public var method: String
    /// `/api/v1/users/{id}`: `{name}` segments match one path segment and land in `pathParameters`.
    public var pattern: String
    public var access: Access
    public var bodyLimit: Int
    public var handler: Handler
    let segments: [Segment]

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public static let defaultBodyLimit = 1 << 20

    public init(_ method: String, _ pattern: String, access: Access, bodyLimit: Int = Route.defaultBodyLimit, handler: @escaping Handler) {
        self.method = method
        self.pattern = pattern
        self.access = access
        self.bodyLimit = bodyLimit
        self.handler = handler
        segments = pattern.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }

    func match(_ pathSegments: [String]) -> [String: String]? {
        guard pathSegments.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, actual) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let literal): if literal != actual { return nil }
            case .parameter(let name): parameters[name] = actual
            }
        }
        return parameters
    }
}
