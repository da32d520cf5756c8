import CalcflowCore
import FastCGI
import Foundation
import Logging
import MariaDB

/// Serves requests on one worker thread, with that thread's own database connection.
final class APIResponder: FastCGIResponder {
    private let router: Router
    private let services: APIServices
    private var connection: Connection?
    private let authenticator: Authenticator
    private let worker: WorkerState

    init(router: Router, services: APIServices, pool: ThreadPool) {
        self.router = router
        self.services = services
        self.authenticator = Authenticator(services: services)
        self.worker = WorkerState(services: services, pool: pool)
    }

    /// Opens the connection on first use, and again after a failure: a database that was down
    /// at start-up, or restarted since, costs no restart of the API.
    private func openConnection() throws(APIError) -> Connection {
        if let connection { return connection }
        do {
            let opened = try Connection(configuration: services.configuration.database)
            connection = opened
            return opened
        } catch {
            services.logger.error("database_unreachable", metadata: ["error": "\(error)"])
            throw APIError(.unavailable, "the database is unreachable; try again shortly")
        }
    }

    func respond(to fastCGI: FastCGIRequest) {
        let started = DispatchTime.now().uptimeNanoseconds
        let uri = fastCGI.parameter("REQUEST_URI") ?? "/"
        let questionMark = uri.firstIndex(of: "?")
        var request = Request(
            method: fastCGI.parameter("REQUEST_METHOD") ?? "GET",
            path: String(uri[..<(questionMark ?? uri.endIndex)]),
            query: questionMark.map { QueryString.parse(uri[uri.index(after: $0)...]) } ?? [:],
            authorization: fastCGI.parameter("HTTP_AUTHORIZATION"),
            cookieHeader: fastCGI.parameter("HTTP_COOKIE"),
            contentType: fastCGI.parameter("CONTENT_TYPE").flatMap { $0.isEmpty ? nil : $0 },
            userAgent: fastCGI.parameter("HTTP_USER_AGENT"),
            remoteAddress: fastCGI.parameter("REMOTE_ADDR") ?? "",
            requestID: fastCGI.parameter("REQUEST_ID") ?? "")
        request.accept = fastCGI.parameter("HTTP_ACCEPT")
        request.customAttributes = fastCGI.parameter("HTTP_X_AMZN_SAGEMAKER_CUSTOM_ATTRIBUTES")

        let stream = ResponseStream(request: fastCGI, requestID: request.requestID)
        let response = handle(&request, stream: stream, readBody: { limit in
            let declared = Int(fastCGI.parameter("CONTENT_LENGTH") ?? "") ?? 0
            if declared > limit { return nil }
            return fastCGI.readBody(limit: limit)
        })
        if !stream.started { fastCGI.write(response.serialized(requestID: request.requestID)) }

        APIMetrics.request(route: request.routePattern ?? "unrouted", status: response.status, handles: worker.metrics)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        services.logger.debug("request", metadata: [
            "method": "\(request.method)", "path": "\(request.path)", "status": "\(response.status)",
            "ms": "\(String(format: "%.2f", elapsed))", "request_id": "\(request.requestID)",
        ])
    }

    private func handle(_ request: inout Request, stream: ResponseStream, readBody: (Int) -> [UInt8]?) -> Response {
        do {
            switch router.match(method: request.method, path: request.path) {
            case .notFound:
                throw APIError(.notFound, "no API route \(request.path); see /api/v1/openapi.json")
            case .methodNotAllowed(let allowed):
                var error = APIError(.methodNotAllowed, "\(request.path) answers \(allowed.joined(separator: ", ")), not \(request.method)")
                error.headers = [("Allow", allowed.joined(separator: ", "))]
                throw error
            case .found(let route, let parameters):
                request.pathParameters = parameters
                request.routePattern = route.pattern
                guard let body = readBody(route.bodyLimit) else {
                    throw APIError(.tooLarge, "the request body is larger than \(route.bodyLimit / 1024) KiB")
                }
                request.body = body
                let context = RequestContext(request: request, services: services, worker: worker, stream: stream,
                                             connectionProvider: openConnection)
                switch route.access {
                case .signedIn(let minimum):
                    context.signedInUser = try authenticator.signedInUser(request, minimum: minimum, connection: openConnection)
                case .agentKey:
                    context.agentIdentity = try authenticator.agent(request, connection: openConnection)
                case .metricsReader:
                    if !authenticator.isScrapeToken(request) {
                        context.signedInUser = try authenticator.signedInUser(request, minimum: .admin, connection: openConnection)
                    }
                case .controllerKey:
                    context.controllerIdentity = try authenticator.controller(request, connection: openConnection)
                case .anyUserOrAgent:
                    if request.authorization?.hasPrefix("Bearer ck_") == true {
                        context.agentIdentity = try authenticator.agent(request, connection: openConnection)
                    } else {
                        context.signedInUser = try authenticator.signedInUser(request, minimum: .user, connection: openConnection)
                    }
                case .anonymous, .refreshCookie:
                    break
                }
                return try route.handler(context)
            }
        } catch let error as APIError {
            return error.response
        } catch let error as ValidationError {
            return APIError(error).response
        } catch let error as DatabaseError {
            return databaseFailure(error, request: request).response
        } catch {
            services.logger.error("unhandled_error", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
            return APIError(.internalError, "something went wrong on our side; the request id is \(request.requestID)").response
        }
    }

    /// Database details go to the log only; the client gets a request id to quote.
    private func databaseFailure(_ error: DatabaseError, request: Request) -> APIError {
        services.logger.error("database_error", metadata: ["request_id": "\(request.requestID)", "path": "\(request.path)", "error": "\(error)"])
        if error.code == .connectionLost || error.code == .connectionFailed {
            connection = nil
            return APIError(.unavailable, "the database is unreachable; try again shortly")
        }
        return APIError(.internalError, "something went wrong on our side; the request id is \(request.requestID)")
    }
}
