import CalcflowCore
import Foundation
import JSON

/// A Server-Sent Events response held open on a stream thread: a slot in the `StreamLimiter`, the
/// viewer's session checked on every round (an expired token, a sign-out or a block ends it with an
/// `end` event), a comment every 15 s so that proxies keep a quiet stream open.
enum EventStreamSession {
    struct Round {
        /// Whole SSE messages ("id: …\ndata: …\n\n").
        var messages: [String]
        /// True when there is nothing more to follow (a finished calculation): the stream ends.
        var finished = false
        /// True when more waits already: the next round starts without sleeping.
        var moreWaiting = false
    }

    static func run(_ context: RequestContext, greeting: String, round: () throws -> Round) throws -> Response {
        let limiter = context.services.streamLimiter
        let viewer = context.user
        if let refusal = limiter.enter(userID: viewer.id, role: viewer.role,
                                       heldByClaims: context.services.claimWakeups.waitingCount(on: .streams)) {
            switch refusal {
            case .userLimit:
                throw APIError(.rateLimited, "you have \(limiter.perUser) live streams open already; close another tab first")
            case .full:
                throw APIError(.unavailable, "too many live streams are open (\(limiter.capacity)); close another tab or try again later")
            }
        }
        defer { limiter.leave(userID: viewer.id) }
        let output = context.stream
        output.start(headers: [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store"), ("X-Accel-Buffering", "no")])
        output.write(": \(greeting)\n\n")
        guard output.flush() else { return .streamed }
        var lastWrite = Date()
        let poll = context.services.configuration.streamPollMilliseconds
        while output.isConnected && !context.services.isStopping {
            if let reason = try endReason(context) {
                end(output, reason: reason)
                break
            }
            let next = try round()
            for message in next.messages { output.write(message) }
            if !next.messages.isEmpty {
                guard output.flush() else { break }
                lastWrite = Date()
            } else if Date().timeIntervalSince(lastWrite) >= 15 {
                output.write(": keep-alive\n\n")
                guard output.flush() else { break }
                lastWrite = Date()
            }
            if next.finished {
                end(output, reason: "finished")
                break
            }
            if !next.moreWaiting { Thread.sleep(forTimeInterval: Double(poll) / 1_000) }
        }
        return .streamed
    }

    /// Why the viewer may no longer watch: its token expired or is invalid, or it was deleted, blocked or signed out everywhere.
    private static func endReason(_ context: RequestContext) throws -> String? {
        let token = String((context.request.authorization ?? "").dropFirst("Bearer ".count))
        let claims: AccessTokenClaims
        do { claims = try context.services.signer.verify(token, now: Timestamp.nowSeconds()) } catch .expired {
            return "token_expired"
        } catch {
            return "token_invalid"
        }
        guard let user = try context.users().find(id: claims.userID) else { return "user_deleted" }
        if user.blocked { return "user_blocked" }
        if user.sessionEpoch != claims.sessionEpoch { return "signed_out" }
        return nil
    }

    private static func end(_ output: ResponseStream, reason: String) {
        output.write("event: end\ndata: \(JSON.object(["reason": .string(reason)]).serializedString())\n\n")
        _ = output.flush()
    }
}
