import Foundation
import HTTPClient
import JSON

/// The API as the agent sees it: the agent protocol over HTTPS with the cluster's key.
final class AgentAPI {
    private let client = HTTPClient()
    let configuration: AgentConfiguration

    init(configuration: AgentConfiguration) {
        self.configuration = configuration
    }

    struct Failure: Error, CustomStringConvertible {
        var status: Int
        var message: String
        /// Network errors and 5xx: worth trying again later. 4xx: the request itself is wrong.
        var isRetryable: Bool { status == 0 || status >= 500 || status == 429 }
        var description: String { status == 0 ? message : "HTTP \(status): \(message)" }
    }

    func send(_ method: String, _ path: String, _ body: JSON? = nil) throws(Failure) -> (status: Int, json: JSON) {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(configuration.key)"), ("User-Agent", AgentConfiguration.version)]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequest(method: method, url: configuration.apiURL + "/api/v1" + path, headers: headers,
                                  body: body?.serialized() ?? (method == "POST" ? [] : nil),
                                  certificateAuthorityFile: configuration.certificateAuthorityFile, timeoutSeconds: 60)
        let response: HTTPResponse
        do {
            response = try client.execute(request)
        } catch {
            throw Failure(status: 0, message: "\(error)")
        }
        let json = (try? JSON.parse(response.body)) ?? .null
        guard (200..<300).contains(response.status) else {
            throw Failure(status: response.status, message: json["error"]?["message"]?.stringValue ?? response.text)
        }
        return (response.status, json)
    }
}
