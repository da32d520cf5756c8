/// Which of calcflow-api's two pools of threads a request is served on: the request threads
/// (`socket`), kept for answers that take milliseconds, or the stream threads (`stream_socket`),
/// where a request may hold its thread while it waits (live streams, agents' waiting claims).
enum ThreadPool: Sendable {
    case requests
    case streams
}
