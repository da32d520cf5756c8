import CalcflowCore

/// A policy's verdict as the API's answer: 403 for what the role or ownership does not allow, 409 for
/// what the resource's state does not.
enum PolicyEnforcement {
    static func enforce(_ verdict: PolicyVerdict) throws(APIError) {
        switch verdict {
        case .allowed: return
        case .forbidden(let reason): throw APIError(.forbidden, reason)
        case .conflict(let reason): throw APIError(.conflict, reason)
        }
    }
}
