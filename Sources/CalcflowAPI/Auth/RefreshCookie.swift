/// The refresh token's cookie: only the auth routes ever see it, and scripts never can.
enum RefreshCookie {
    static let name = "calcflow_refresh"
    static let path = "/api/v1/auth"

    static func setting(_ token: String, maxAge: Int) -> (name: String, value: String) {
        ("Set-Cookie", "\(name)=\(token); HttpOnly; Secure; SameSite=Strict; Path=\(path); Max-Age=\(maxAge)")
    }

    static var clearing: (name: String, value: String) {
        ("Set-Cookie", "\(name)=; HttpOnly; Secure; SameSite=Strict; Path=\(path); Max-Age=0")
    }
}
