import Foundation

/// Calcflow's API as a daemon sees it: `/api/v1` over HTTPS with its key as the bearer token (an
/// agent's `ck_`, a model controller's `mk_`), JSON in and out, errors with the API's message.
public final class KeyedAPIClient {
    private let client = HTTPClient()
    public let baseURL: String
    private let key: String
    private let userAgent: String
    private let certificateAuthorityFile: String?
    private let timeoutSeconds: Int

    public init(baseURL: String, key: String, userAgent: String, certificateAuthorityFile: String?, timeoutSeconds: Int = 60) {
        self.baseURL = baseURL
        self.key = key
        self.userAgent = userAgent
        self.certificateAuthorityFile = certificateAuthorityFile
        self.timeoutSeconds = timeoutSeconds
    }

    public struct Failure: Error, CustomStringConvertible {
        public var status: Int
        public var message: String
        /// Network errors, 5xx and 429: worth trying again later. Other 4xx: the request itself is wrong.
        public var isRetryable: Bool { status == 0 || status >= 500 || status == 429 }
        public var description: String { status == 0 ? message : "HTTP \(status): \(message)" }
    }

    /// The status and the body's bytes of a 2xx answer.
    public func send(_ method: String, _ path: String, body: [UInt8]?) throws(Failure) -> (status: Int, body: [UInt8]) {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(key)"), ("User-Agent", userAgent)]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequest(method: method, url: baseURL + "/api/v1" + path, headers: headers,
                                  body: body ?? (method == "POST" ? [] : nil),
                                  certificateAuthorityFile: certificateAuthorityFile, timeoutSeconds: timeoutSeconds)
        let response: HTTPResponse
        do { response = try client.execute(request) } catch { throw Failure(status: 0, message: "\(error)") }
        guard (200..<300).contains(response.status) else {
            throw Failure(status: response.status, message: Self.errorMessage(response.body) ?? response.text)
        }
        return (response.status, response.body)
    }

    /// The `error.message` of the API's envelope, read without a JSON library (this target has none).
    static func errorMessage(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["message"] as? String
    }
}
