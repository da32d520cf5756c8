import Foundation
import HTTPClient
import JSON

/// The API as the agent sees it: the agent protocol over HTTPS with the cluster's key.
final class AgentAPI {
    private let client: KeyedAPIClient
    let configuration: AgentConfiguration

    init(configuration: AgentConfiguration) {
        self.configuration = configuration
        client = KeyedAPIClient(baseURL: configuration.apiURL, key: configuration.key, userAgent: AgentConfiguration.version,
                                certificateAuthorityFile: configuration.certificateAuthorityFile)
    }

    typealias Failure = KeyedAPIClient.Failure

    func send(_ method: String, _ path: String, _ body: JSON? = nil) throws(Failure) -> (status: Int, json: JSON) {
        let (status, bytes) = try client.send(method, path, body: body?.serialized())
        return (status, (try? JSON.parse(bytes)) ?? .null)
    }
}
