public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Connect through this unix socket instead of TCP (the Docker Engine API, a local FastCGI front).
    public var unixSocketPath: String?
    /// Certificates to trust for HTTPS, in PEM; nil uses the system's.
    public var certificateAuthorityFile: String?
    /// Skip certificate checks: only for tests against a throwaway self-signed certificate.
    public var allowsInsecureTLS: Bool
    public var timeoutSeconds: Int
    /// HTTP/1.1 with keep-alive unless HTTP/2 is allowed: one client talking to one server gains
    /// nothing from HTTP/2's multiplexing and pays for its framing on both sides.
    public var allowsHTTP2: Bool = false
    /// Never through an HTTP proxy from the environment (`https_proxy`, `no_proxy`): for services on
    /// this host, such as model containers. It also spares curl reading the environment each time.
    public var bypassesProxy: Bool


    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
                unixSocketPath: String? = nil, certificateAuthorityFile: String? = nil, allowsInsecureTLS: Bool = false,
                timeoutSeconds: Int = 30, bypassesProxy: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.unixSocketPath = unixSocketPath
        self.certificateAuthorityFile = certificateAuthorityFile
        self.allowsInsecureTLS = allowsInsecureTLS
        self.timeoutSeconds = timeoutSeconds
        self.bypassesProxy = bypassesProxy
    }
}
