import CCurl

/// A libcurl easy handle. One client per thread; it keeps connections alive between requests.
public final class HTTPClient {
    private let handle: UnsafeMutableRawPointer

    public init() {
        precondition(CurlGlobal.initialized, "curl_global_init failed")
        guard let handle = curl_easy_init() else { preconditionFailure("curl_easy_init: out of memory") }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    public func execute(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        curl_easy_reset(handle)
        let collector = ResponseCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        _ = ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        _ = ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT, request.timeoutSeconds)
        _ = ccurl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, collectBody)
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, collectHeader)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(request.allowsHTTP2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1))
        if request.method == "HEAD" { _ = ccurl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        // An empty proxy string turns off the environment's proxy settings.
        if request.bypassesProxy { _ = ccurl_setopt_string(handle, CURLOPT_PROXY, "") }
        if let path = request.unixSocketPath { _ = ccurl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, path) }
        if let file = request.certificateAuthorityFile { _ = ccurl_setopt_string(handle, CURLOPT_CAINFO, file) }
        if request.allowsInsecureTLS {
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        if let body = request.body {
            // COPYPOSTFIELDS: curl keeps its own copy, so the Swift array may go away.
            _ = ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            if body.isEmpty {
                _ = ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes { buffer in
                    _ = ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
                }
            }
        } else {
            // Without a body curl sends no Content-Type; expecting 100-continue only adds a round trip.
            headerList = curl_slist_append(headerList, "Expect:")
        }
        if let headerList { _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) }

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            throw HTTPClientError(curlCode: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }
}

private final class ResponseCollector {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []

    /// One raw header line as curl hands it over ("Name: value\r\n"), read as bytes: this runs for
    /// every header of every response.
    func appendHeaderLine(_ line: UnsafeBufferPointer<UInt8>) {
        if line.starts(with: Self.statusLinePrefix) {
            // A new status line (after a 100 Continue or a redirect) starts a new set of headers.
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        var start = colon + 1
        var end = line.endIndex
        while start < end, Self.isSpace(line[start]) { start += 1 }
        while end > start, Self.isSpace(line[end - 1]) { end -= 1 }
        headers.append((String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self),
                        String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)))
    }

    private static let statusLinePrefix = Array("HTTP/".utf8)

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }
}

private func collectBody(data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        collector.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

private func collectHeader(data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        collector.appendHeaderLine(UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}
