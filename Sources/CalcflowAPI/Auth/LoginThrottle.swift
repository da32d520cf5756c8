import CalcflowCore
import MariaDB

/// Sign-in failures in the database, so that every API process behind nginx sees the same counts;
/// `SignInThrottle` decides from them. Each attempt is recorded before its password is checked and
/// forgotten only when it succeeds: concurrent wrong passwords each count, none slips between a
/// check and an insert.
struct LoginThrottle {
    let connection: Connection
    let policy: SignInThrottle

    struct Attempt {
        var id: Int64
        var decision: SignInThrottle.Decision
    }

    func begin(email: String, address: String) throws(DatabaseError) -> Attempt {
        let email = String(email.prefix(codePoints: 254))
        let address = String(address.prefix(codePoints: 64))
        let id = try connection.execute("INSERT INTO login_failures (email, address) VALUES (?, ?)", [.text(email), .text(address)]).lastInsertID
        let window = SQLValue.integer(policy.windowSeconds)
        let row = try connection.queryFirst(
            """
            SELECT
              (SELECT COUNT(*) FROM login_failures
               WHERE email = ? AND address = ? AND refused = 0 AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS pair,
              (SELECT TIMESTAMPDIFF(SECOND, MAX(created_at), CURRENT_TIMESTAMP(6)) FROM login_failures
               WHERE email = ? AND address = ? AND refused = 0 AND id <> ? AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS since_pair,
              (SELECT COUNT(*) FROM login_failures WHERE email = ? AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_email,
              (SELECT TIMESTAMPDIFF(SECOND, MIN(created_at), CURRENT_TIMESTAMP(6)) FROM login_failures
               WHERE email = ? AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS oldest_email,
              (SELECT COUNT(*) FROM login_failures WHERE address = ? AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_address,
              (SELECT TIMESTAMPDIFF(SECOND, MIN(created_at), CURRENT_TIMESTAMP(6)) FROM login_failures
               WHERE address = ? AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS oldest_address,
              EXISTS (SELECT 1 FROM refresh_tokens r JOIN users u ON u.id = r.user_id
                      WHERE u.email = ? AND u.deleted_at IS NULL AND r.address = ? AND r.created_at > CURRENT_TIMESTAMP(6) - INTERVAL 90 DAY) AS known
            """,
            [.text(email), .text(address), window,
             .text(email), .text(address), .integer(id), window,
             .text(email), window, .text(email), window,
             .text(address), window, .text(address), window,
             .text(email), .text(address)])
        let counts = SignInThrottle.Counts(
            pairFailures: row?.int("pair") ?? 1, sincePairFailure: row?.int("since_pair"),
            emailFailures: row?.int("by_email") ?? 1, addressFailures: row?.int("by_address") ?? 1,
            oldestEmailFailureAge: row?.int("oldest_email") ?? 0, oldestAddressFailureAge: row?.int("oldest_address") ?? 0,
            addressIsKnown: (row?.int("known") ?? 0) != 0)
        // Old rows only ever matter for the window; keep the table small as it goes.
        try connection.execute("DELETE FROM login_failures WHERE created_at < CURRENT_TIMESTAMP(6) - INTERVAL 1 DAY LIMIT 100")
        let decision = policy.decide(counts)
        if decision != .allowed {
            try connection.execute("UPDATE login_failures SET refused = 1 WHERE id = ?", [.integer(id)])
        }
        return Attempt(id: id, decision: decision)
    }

    /// A successful sign-in forgives that person's typos from this address; failures of the same
    /// email elsewhere, which may be an attacker's, stay counted.
    func succeeded(_ attempt: Attempt, email: String, address: String) throws(DatabaseError) {
        try connection.execute("DELETE FROM login_failures WHERE id = ? OR (email = ? AND address = ?)",
                               [.integer(attempt.id), .text(String(email.prefix(codePoints: 254))), .text(String(address.prefix(codePoints: 64)))])
    }
}
