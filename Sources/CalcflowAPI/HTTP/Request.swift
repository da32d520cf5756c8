import CalcflowCore
import JSON

/// What the handlers see of a request: parsed from the CGI parameters nginx sends.
public struct Request: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var authorization: String?
    public var cookieHeader: String?
    public var contentType: String?
    public var userAgent: String?
    /// `Accept` and SageMaker's `X-Amzn-SageMaker-Custom-Attributes`, which the model proxy passes on.
    public var accept: String?
    public var customAttributes: String?
    public var remoteAddress: String
    public var requestID: String
    public var body: [UInt8]
    /// The pattern of the route that answers it (`/api/v1/calculations/{id}`), for metrics.
    public var routePattern: String?
    /// Filled by the router from `{name}` segments of the route's pattern.
    public var pathParameters: [String: String] = [:]

    public init(method: String, path: String, query: [String: String] = [:], authorization: String? = nil,
                cookieHeader: String? = nil, contentType: String? = nil, userAgent: String? = nil,
                remoteAddress: String = "", requestID: String = "", body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
        self.cookieHeader = cookieHeader
        self.contentType = contentType
        self.userAgent = userAgent
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.body = body
    }

    public func cookie(_ name: String) -> String? {
        guard let cookieHeader else { return nil }
        for pair in cookieHeader.split(separator: ";") {
            let trimmed = pair.drop(while: { $0 == " " })
            if let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name {
                return String(trimmed[trimmed.index(after: equals)...])
            }
        }
        return nil
    }

    /// The body as a JSON document; a clear 400 when it is not one.
    public func json() throws(APIError) -> JSON {
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "send the body as JSON with Content-Type: application/json")
        }
        if body.isEmpty { throw APIError(.badJSON, "the request needs a JSON body") }
        do {
            return try JSON.parse(body)
        } catch {
            throw APIError(.badJSON, "the body is not valid JSON: \(error)")
        }
    }

    /// The body as a JSON object, read strictly through `InputObject`.
    public func inputObject() throws(APIError) -> InputObject {
        let document = try json()
        do { return try InputObject(document) } catch { throw APIError(error) }
    }

    /// `{id}` from the path, as a positive integer.
    public func identifier(_ name: String = "id") throws(APIError) -> Int64 {
        guard let text = pathParameters[name], let id = Int64(text), id > 0 else {
            throw APIError(.notFound, "no such resource: '\(pathParameters[name] ?? "")' is not an id")
        }
        return id
    }

    public func page() throws(APIError) -> PageRequest {
        do { return try PageRequest(limit: query["limit"], cursor: query["cursor"]) } catch { throw APIError(error) }
    }
}
