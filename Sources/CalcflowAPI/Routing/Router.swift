/// Finds the route for a method and path.
public struct Router: Sendable {
    public let routes: [Route]

    public init(routes: [Route]) {
        self.routes = routes
    }

    public enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    public func match(method: String, path: String) -> Match {
        let segments = path.split(separator: "/").map { PercentDecoding.decode($0, plusIsSpace: false) }
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.match(segments) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route, parameters: parameters)
            }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}
