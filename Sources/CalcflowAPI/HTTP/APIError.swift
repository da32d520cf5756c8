import CalcflowCore
import JSON

/// Every error a client sees, turned into API.md's envelope in one place (`response`).
public struct APIError: Error, Sendable, Equatable {
    public struct Code: Hashable, Sendable {
        public let name: String
        public let status: Int

        public static let badJSON = Code(name: "bad_json", status: 400)
        public static let invalid = Code(name: "invalid", status: 400)
        public static let unauthenticated = Code(name: "unauthenticated", status: 401)
        public static let forbidden = Code(name: "forbidden", status: 403)
        public static let notFound = Code(name: "not_found", status: 404)
        public static let methodNotAllowed = Code(name: "method_not_allowed", status: 405)
        public static let conflict = Code(name: "conflict", status: 409)
        public static let tooLarge = Code(name: "too_large", status: 413)
        public static let unsupportedMediaType = Code(name: "unsupported_media_type", status: 415)
        public static let rateLimited = Code(name: "rate_limited", status: 429)
        public static let internalError = Code(name: "internal", status: 500)
        public static let badGateway = Code(name: "bad_gateway", status: 502)
        public static let unavailable = Code(name: "unavailable", status: 503)
        public static let timeout = Code(name: "timeout", status: 504)
    }

    public var code: Code
    public var message: String
    public var field: String?
    public var headers: [(name: String, value: String)] = []

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public static func == (left: APIError, right: APIError) -> Bool {
        left.code == right.code && left.message == right.message && left.field == right.field
    }

    public init(_ validation: ValidationError) {
        self.init(.invalid, validation.message, field: validation.field)
        if let field = validation.field { message = "\(field) \(validation.message)" }
    }

    var response: Response {
        var error: [String: JSON] = ["code": .string(code.name), "message": .string(message)]
        if let field { error["field"] = .string(field) }
        var response = Response.json(["error": .object(error)], status: code.status)
        response.headers.append(contentsOf: headers)
        return response
    }
}
