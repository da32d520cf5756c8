import FastCGI
import HTTPClient
import Logging
import MariaDB

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
        let responder: @Sendable (ThreadPool) -> @Sendable (Int) -> FastCGIResponder = { pool in
            { _ in APIResponder(router: router, services: services, pool: pool) }
        }
        let server = FastCGIServer(listeners: [
            FastCGIListener(socketPath: configuration.socketPath, threadCount: configuration.threads,
                            socketMode: configuration.socketMode, socketGroup: configuration.socketGroup, makeResponder: responder(.requests)),
            FastCGIListener(socketPath: configuration.streamSocketPath, threadCount: configuration.streamThreads,
                            socketMode: configuration.socketMode, socketGroup: configuration.socketGroup, makeResponder: responder(.streams)),
        ])
        // A host that starts while another applies migrations waits for them.
        do {
            try Migrator.waitWhileMigrating(on: Connection(configuration: configuration.database)) { message in
                services.logger.info("migrations", metadata: ["message": "\(message)"])
            }
        } catch {
            services.logger.warning("migrations_unknown", metadata: ["error": "\(error)"])
        }
        let bufferedWriter = BackgroundLoop(name: "buffered_writes", intervalMilliseconds: 50, finalRound: true)
        bufferedWriter.start(services: services) { connection in
            try services.heartbeats.flush(on: connection)
            try services.invocations.flush(on: connection)
        }
        let maintenance = BackgroundLoop(name: "maintenance", intervalMilliseconds: configuration.maintenanceIntervalMilliseconds)
        maintenance.start(services: services) { connection in try MaintenanceJobs.run(on: connection, services: services) }
        let predictions = BackgroundLoop(name: "predictions", intervalMilliseconds: configuration.maintenanceIntervalMilliseconds)
        predictions.start(services: services, makeState: { AutoPredictionProgress() }, work: { connection, progress in
            try AutoPrediction.run(on: connection, progress: progress, services: services)
        })
        var mailer: BackgroundLoop?
        if let smtpURL = configuration.smtpURL {
            let loop = BackgroundLoop(name: "mail", intervalMilliseconds: configuration.mailPollMilliseconds)
            loop.start(services: services, makeState: {
                MailSender(transport: MailTransport(url: smtpURL, certificateAuthorityFile: configuration.smtpCAFile), from: configuration.mailFrom,
                           digest: configuration.mailDigest, publicURL: configuration.publicURL)
            }, work: { connection, sender in
                try sender.sendDue(on: connection, logger: services.logger)
            })
            mailer = loop
        } else {
            services.logger.warning("mail_disabled", metadata: ["reason": "smtp_url is not set: notifications stay in the outbox"])
        }
        try server.run(onReady: {
            services.logger.info("started", metadata: ["socket": "\(configuration.socketPath)", "threads": "\(configuration.threads)", "stream_socket": "\(configuration.streamSocketPath)", "stream_threads": "\(configuration.streamThreads)"])
        }, onStopping: {
            services.markStopping()
        })
        maintenance.stop()
        predictions.stop()
        // Another host need not wait for the leases to expire.
        if let connection = try? Connection(configuration: configuration.database) {
            try? MaintenanceJobs.lease(services).release(on: connection)
            try? AutoPrediction.lease(services).release(on: connection)
        }
        // The writer's last round runs after stop: nothing received before SIGTERM is lost.
        bufferedWriter.stop()
        mailer?.stop()
        services.logger.info("stopped")
    }
}
