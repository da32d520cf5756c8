import HTTPClient
import JSON

/// Talks HTTPS to the stack's nginx, trusting only the stack's own certificate, as a browser or a
/// script of a scientist would.
public final class APIClient {
    public let baseURL: String
    private let certificate: String
    private let client = HTTPClient()

    public init(baseURL: String, certificate: String) {
        self.baseURL = baseURL
        self.certificate = certificate
    }

    public func send(_ method: String, _ path: String, body: [UInt8]? = nil, token: String? = nil,
                     cookie: String? = nil, headers: [(name: String, value: String)] = [], timeoutSeconds: Int = 30) throws -> TestResponse {
        var allHeaders = headers
        if let token { allHeaders.append(("Authorization", "Bearer \(token)")) }
        if let cookie { allHeaders.append(("Cookie", cookie)) }
        if body != nil, !allHeaders.contains(where: { $0.name.lowercased() == "content-type" }) {
            allHeaders.append(("Content-Type", "application/json"))
        }
        let request = HTTPRequest(method: method, url: baseURL + path, headers: allHeaders, body: body,
                                  certificateAuthorityFile: certificate, timeoutSeconds: timeoutSeconds)
        return TestResponse(raw: try client.execute(request))
    }

    public func get(_ path: String, token: String? = nil) throws -> TestResponse {
        try send("GET", path, token: token)
    }

    public func delete(_ path: String, token: String? = nil) throws -> TestResponse {
        try send("DELETE", path, token: token)
    }

    public func post(_ path: String, _ json: JSON? = nil, token: String? = nil, cookie: String? = nil) throws -> TestResponse {
        try send("POST", path, body: json?.serialized() ?? (cookie == nil ? nil : []), token: token, cookie: cookie)
    }

    public func patch(_ path: String, _ json: JSON, token: String? = nil) throws -> TestResponse {
        try send("PATCH", path, body: json.serialized(), token: token)
    }

    /// Signs in and returns the access token and the refresh cookie's value.
    public func login(_ email: String, _ password: String) throws -> (token: String, refresh: String) {
        let response = try post("/api/v1/auth/login", ["email": .string(email), "password": .string(password)])
        guard response.status == 200, let token = response.json["access_token"]?.stringValue,
              let refresh = response.cookie("calcflow_refresh") else {
            throw LoginFailed(response: response.description)
        }
        return (token, refresh)
    }

    public struct LoginFailed: Error, CustomStringConvertible {
        public var response: String
        public var description: String { "login failed: \(response)" }
    }
}
