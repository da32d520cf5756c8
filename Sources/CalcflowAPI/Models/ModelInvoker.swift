import CalcflowCore
import Crypto
import Foundation
import HTTPClient
import JSON
import MariaDB

/// One call of a model's container, recorded: what the proxy routes and the predictions both use.
struct ModelInvoker {
    let connection: Connection
    let client: HTTPClient
    let configuration: APIConfiguration
    /// Where the record of each call waits to be written, and this thread's shard of it.
    let records: InvocationBuffer
    let shard: Int
    let metrics: MetricHandles

    struct Outcome {
        /// What the caller of the proxy gets: the container's answer unchanged, or the error envelope.
        var response: Response
        /// The container's answer, when it gave one.
        var answer: HTTPResponse?
    }

    func invoke(_ model: ModelRecord, body: [UInt8], headers: [(name: String, value: String)], userID: Int64?) throws -> Outcome {
        guard body.count <= configuration.invocationBodyLimit else {
            throw APIError(.tooLarge, "an invocation's body is \(configuration.invocationBodyLimit / 1_048_576) MiB at most (invocation_body_limit)")
        }
        let shown = model.shownState(silentAfter: Int64(configuration.lostAfterSeconds))
        guard model.desiredState == .running, shown == .healthy, let endpoint = model.endpoint else {
            var error = APIError(.unavailable, "model '\(model.name)' is \(model.desiredState == .stopped ? "stopped" : shown.rawValue), not healthy; "
                                 + (model.desiredState == .stopped ? "a moderator can start it" : "try again once it is healthy"))
            error.headers = [("Retry-After", "5")]
            throw error
        }
        let started = DispatchTime.now().uptimeNanoseconds
        var record = InvocationStore.Record(
            modelID: model.id, userID: userID, image: model.image, imageDigest: model.imageDigest,
            inputSHA256: Hex.encode(SHA256.hash(body)), inputBytes: body.count, input: body, status: 0, latencyMilliseconds: 0,
            calledAt: Date().timeIntervalSince1970)
        let outcome: Outcome
        do {
            let answer = try client.execute(HTTPRequest(method: "POST", url: endpoint + "/invocations", headers: headers, body: body,
                                                        timeoutSeconds: Int(model.invocationTimeoutSeconds), bypassesProxy: true))
            record.status = answer.status
            record.contentType = answer.header("Content-Type")
            record.response = answer.body
            var passed: [(name: String, value: String)] = [("Content-Type", answer.header("Content-Type") ?? "application/octet-stream")]
            if let attributes = answer.header("X-Amzn-SageMaker-Custom-Attributes") { passed.append(("X-Amzn-SageMaker-Custom-Attributes", attributes)) }
            outcome = Outcome(response: Response(status: answer.status, headers: passed, body: answer.body), answer: answer)
        } catch {
            // curl's 28 is its timeout.
            let failure = error.curlCode == 28
                ? APIError(.timeout, "model '\(model.name)' did not answer within its \(model.invocationTimeoutSeconds) s (invocation_timeout_seconds)")
                : APIError(.badGateway, "model '\(model.name)' failed during the request: \(error.message)")
            record.status = failure.code.status
            record.error = failure.message
            outcome = Outcome(response: failure.response, answer: nil)
        }
        record.latencyMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        APIMetrics.invocation(model: model.name, status: record.status, milliseconds: record.latencyMilliseconds, handles: metrics)
        try records.append(record, shard: shard, connection: connection)
        return outcome
    }
}
