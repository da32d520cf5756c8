import CFastCGI
import Glibc

/// The listening socket and every idle kept-alive connection of one FastCGI socket, in one epoll set
/// that the socket's worker threads share. Each socket is armed for one event at a time, so the
/// kernel hands a ready one to exactly one worker, and an idle connection holds no thread: nginx may
/// keep as many open (`keepalive` in its upstream) as it likes.
final class ConnectionPoller: @unchecked Sendable {
    /// A connection with a request to read.
    struct Ready {
        var socket: Int32
        /// Just accepted: not in the epoll set yet.
        var isNew: Bool
    }

    let listeningSocket: Int32
    private let poller: Int32
    private let stopSignal: Int32

    init(listening socket: Int32) throws(FastCGIError) {
        listeningSocket = socket
        poller = cfastcgi_poller_create()
        stopSignal = eventfd(0, Int32(EFD_CLOEXEC))
        guard poller >= 0, stopSignal >= 0, cfastcgi_set_nonblocking(socket) == 0,
              cfastcgi_poller_add_stop(poller, stopSignal) == 0, cfastcgi_poller_arm(poller, socket, 1) == 0 else {
            throw FastCGIError(message: "cannot poll the FastCGI socket: \(String(cString: strerror(errno)))")
        }
    }

    /// The next connection with a request on it; nil once `stop()` was called.
    func next() -> Ready? {
        while true {
            var readable: Int32 = 0
            let socket = cfastcgi_poller_wait(poller, &readable)
            if socket < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if socket == stopSignal { return nil }
            if socket == listeningSocket {
                let connection = cfastcgi_accept(listeningSocket)
                // Armed again at once: another worker may take the next connection meanwhile.
                _ = cfastcgi_poller_arm(poller, listeningSocket, 0)
                if connection >= 0 { return Ready(socket: connection, isNew: true) }
                continue
            }
            // Hung up while idle: nginx closed a connection it kept.
            guard readable != 0 else {
                Glibc.close(socket)
                continue
            }
            return Ready(socket: socket, isNew: false)
        }
    }

    /// A connection nginx keeps for its next request: back into the set, armed.
    func keep(_ socket: Int32, new: Bool) {
        if cfastcgi_poller_arm(poller, socket, new ? 1 : 0) != 0 { Glibc.close(socket) }
    }

    /// Wakes every waiting worker for good.
    func stop() {
        var one: UInt64 = 1
        _ = write(stopSignal, &one, 8)
    }

    func close() {
        Glibc.close(stopSignal)
        Glibc.close(poller)
    }
}
