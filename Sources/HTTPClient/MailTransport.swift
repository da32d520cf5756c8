import CCurl
import Foundation

/// Sends mail over SMTP with libcurl. `smtp://user:pass@host:587` upgrades with STARTTLS (required
/// when there are credentials, so a password never crosses in clear); `smtps://` is TLS from the start.
public final class MailTransport {
    private let handle: UnsafeMutableRawPointer
    public let url: String
    private let requiresTLS: Bool
    private let certificateAuthorityFile: String?

    public init(url: String, certificateAuthorityFile: String? = nil) {
        precondition(CurlGlobal.initialized, "curl_global_init failed")
        guard let handle = curl_easy_init() else { preconditionFailure("curl_easy_init: out of memory") }
        self.handle = handle
        self.url = url
        self.certificateAuthorityFile = certificateAuthorityFile
        let credentials = url.split(separator: "@").count > 1
        self.requiresTLS = credentials
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    public func send(_ message: MailMessage, timeoutSeconds: Int = 30) throws(HTTPClientError) {
        curl_easy_reset(handle)
        let body = MessageBody(bytes: message.mime())
        var recipients: UnsafeMutablePointer<curl_slist>?
        recipients = curl_slist_append(recipients, "<\(MailMessage.address(message.to))>")
        defer { curl_slist_free_all(recipients) }
        _ = ccurl_setopt_string(handle, CURLOPT_URL, url)
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
        _ = ccurl_setopt_long(handle, CURLOPT_USE_SSL, Int(requiresTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        if let certificateAuthorityFile { _ = ccurl_setopt_string(handle, CURLOPT_CAINFO, certificateAuthorityFile) }
        _ = ccurl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(MailMessage.address(message.from))>")
        _ = ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        _ = ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        _ = ccurl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.bytes.count))
        _ = ccurl_setopt_read_function(handle, CURLOPT_READFUNCTION, readBody)
        _ = ccurl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(body).toOpaque())
        let code = withExtendedLifetime(body) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            var responseCode = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
            let detail = responseCode > 0 ? " (the server answered \(responseCode))" : ""
            throw HTTPClientError(curlCode: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)) + detail)
        }
    }
}

private final class MessageBody {
    let bytes: [UInt8]
    var offset = 0
    init(bytes: [UInt8]) { self.bytes = bytes }
}

private func readBody(buffer: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let body = Unmanaged<MessageBody>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, body.bytes.count - body.offset)
    guard length > 0 else { return 0 }
    body.bytes.withUnsafeBufferPointer { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + body.offset, byteCount: length)
    }
    body.offset += length
    return length
}
