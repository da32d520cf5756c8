import Foundation
import HTTPClient
import JSON

/// The API as the model controller sees it: the controller protocol over HTTPS with its mk_ key.
final class ControllerAPI {
    private let client: KeyedAPIClient

    init(configuration: ControllerConfiguration) {
        client = KeyedAPIClient(baseURL: configuration.apiURL, key: configuration.key, userAgent: ControllerConfiguration.version,
                                certificateAuthorityFile: configuration.certificateAuthorityFile, timeoutSeconds: 30)
    }

    func send(_ method: String, _ path: String, _ body: JSON? = nil) throws(KeyedAPIClient.Failure) -> JSON {
        let bytes = try client.send(method, path, body: body?.serialized()).body
        return (try? JSON.parse(bytes)) ?? .null
    }
}
