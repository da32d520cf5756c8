import CCurl

enum CurlGlobal {
    /// curl_global_init is not thread-safe; it runs once before the first handle.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}
