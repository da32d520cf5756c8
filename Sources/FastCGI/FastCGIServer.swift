import CFastCGI
import Foundation

/// A threaded libfcgi server on one or more unix sockets. `run()` blocks until SIGTERM or SIGINT, then
/// stops accepting, lets the requests in flight finish, and returns.
public final class FastCGIServer: Sendable {
    private let listeners: [FastCGIListener]

    public init(listeners: [FastCGIListener]) {
        self.listeners = listeners
    }

    /// `onStopping` runs when the signal arrives, before the threads are waited for: long-running
    /// responders (streams) use it to finish.
    public func run(onReady: () -> Void = {}, onStopping: () -> Void = {}) throws(FastCGIError) {
        guard FCGX_Init() == 0 else { throw FastCGIError(message: "FCGX_Init failed") }
        // Signals go to one thread that waits for them; the workers never see them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        var sockets: [Int32] = []
        for listener in listeners {
            // libfcgi listens on TCP for "address:port", on a unix socket for a path.
            if !listener.isNetworkAddress { unlink(listener.socketPath) }
            let socket = FCGX_OpenSocket(listener.socketPath, listener.backlog)
            guard socket >= 0 else {
                throw FastCGIError(message: "cannot listen on \(listener.socketPath): \(String(cString: strerror(errno)))")
            }
            if listener.isNetworkAddress {
                sockets.append(socket)
                continue
            }
            if let group = listener.socketGroup {
                guard let entry = getgrnam(group) else { throw FastCGIError(message: "socket_group '\(group)' is not a group on this machine") }
                guard chown(listener.socketPath, uid_t.max, entry.pointee.gr_gid) == 0 else {
                    throw FastCGIError(message: "cannot give \(listener.socketPath) to group \(group): \(String(cString: strerror(errno)))")
                }
            }
            guard chmod(listener.socketPath, mode_t(listener.socketMode)) == 0 else {
                throw FastCGIError(message: "cannot set the mode of \(listener.socketPath): \(String(cString: strerror(errno)))")
            }
            sockets.append(socket)
        }

        // One poller per socket: its threads wait there for a new connection or a kept one with a request.
        var pollers: [ConnectionPoller] = []
        for socket in sockets { pollers.append(try ConnectionPoller(listening: socket)) }
        let finished = DispatchGroup()
        for (listener, poller) in zip(listeners, pollers) {
            for index in 0..<listener.threadCount {
                finished.enter()
                let thread = Thread {
                    serveRequests(poller: poller, responder: listener.makeResponder(index))
                    finished.leave()
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        }
        onReady()

        var received: Int32 = 0
        sigwait(&signals, &received)
        onStopping()
        FCGX_ShutdownPending()
        // Wakes every waiting thread; a thread inside a request finishes it first.
        for poller in pollers { poller.stop() }
        finished.wait()
        for (listener, socket) in zip(listeners, sockets) {
            close(socket)
            unlink(listener.socketPath)
        }
        for poller in pollers { poller.close() }
    }
}

/// A worker: takes the next ready connection, serves one request on it, and hands it back to the
/// poller when nginx keeps it for another.
private func serveRequests(poller: ConnectionPoller, responder: FastCGIResponder) {
    let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
    defer { request.deallocate() }
    guard FCGX_InitRequest(request, poller.listeningSocket, 0) == 0 else { return }
    while let ready = poller.next() {
        cfastcgi_adopt(request, ready.socket)
        // Below zero: nginx closed it before another request (libfcgi has closed it too).
        guard FCGX_Accept_r(request) >= 0 else { continue }
        let accepted = FastCGIRequest(request)
        responder.respond(to: accepted)
        // libfcgi's close waits for nginx to hang up first (a lingering close, so unread input cannot
        // turn into a reset). With the input all read there is nothing to guard: close at once.
        if accepted.inputDrained { FCGX_Detach(request) }
        FCGX_Finish_r(request)
        let kept = cfastcgi_release(request)
        if kept >= 0 { poller.keep(kept, new: ready.isNew) }
    }
    FCGX_Free(request, 1)
}
