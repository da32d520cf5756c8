import FastCGI
import Logging

/// `calcflow-api`: the request threads and the streaming threads, each pool on its own socket.
public struct APIServer {
    public let services: APIServices

    public init(services: APIServices) {
        self.services = services
    }

    public func run() throws {
        let configuration = services.configuration
        let router = APIRoutes.router
        let services = self.services
        let makeResponder: @Sendable (Int) -> FastCGIResponder = { _ in APIResponder(router: router, services: services) }
        let server = FastCGIServer(listeners: [
            FastCGIListener(socketPath: configuration.socketPath, threadCount: configuration.threads,
                            socketMode: configuration.socketMode, makeResponder: makeResponder),
            FastCGIListener(socketPath: configuration.streamSocketPath, threadCount: configuration.streamThreads,
                            socketMode: configuration.socketMode, makeResponder: makeResponder),
        ])
        try server.run {
            services.logger.info("event=started socket=\(configuration.socketPath) threads=\(configuration.threads) stream_socket=\(configuration.streamSocketPath) stream_threads=\(configuration.streamThreads)")
        }
        services.logger.info("event=stopped")
    }
}
