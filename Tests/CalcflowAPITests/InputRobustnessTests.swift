import CalcflowTestSupport
import JSON
import XCTest

/// Malformed, mistyped, unknown, oversized and hostile input: always a clear 4xx, never a 5xx.
final class InputRobustnessTests: StackTestCase {
    func send(_ body: String, to path: String = "/api/v1/users", method: String = "POST", token: String? = nil) throws -> TestResponse {
        try client.send(method, path, body: Array(body.utf8), token: token)
    }

    func testMalformedJSONIsBadJSON() throws {
        let token = try adminToken()
        for body in ["{", "{\"email\": }", "not json", "{\"a\":1}garbage", "{\"email\":\"a\",\"email\":\"b\"}"] {
            let response = try send(body, token: token)
            XCTAssertEqual(response.status, 400, body)
            XCTAssertEqual(response.errorCode, "bad_json", body)
            XCTAssertNotNil(response.json["error"]?["message"]?.stringValue)
        }
        XCTAssertEqual(try send("{", to: "/api/v1/auth/login").errorCode, "bad_json")
    }

    func testWrongTypesAreInvalidAndNameTheField() throws {
        let token = try adminToken()
        let response = try send(#"{"email": 42, "password": "a long enough password"}"#, token: token)
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.errorCode, "invalid")
        XCTAssertEqual(response.json["error"]?["field"], "email")
        XCTAssertEqual(try send(#"[1, 2, 3]"#, token: token).errorCode, "invalid")
        XCTAssertEqual(try send(#"{"blocked": "yes"}"#, to: "/api/v1/users/1", method: "PATCH", token: token).json["error"]?["field"], "blocked")
        XCTAssertEqual(try send(#"{"role": "root"}"#, to: "/api/v1/users/1", method: "PATCH", token: token).json["error"]?["field"], "role")
    }

    func testUnknownFieldsAreRefused() throws {
        let response = try send(#"{"email": "x@calcflow.test", "password": "a long enough password", "is_admin": true}"#, token: try adminToken())
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.errorCode, "invalid")
        XCTAssertEqual(response.json["error"]?["field"], "is_admin")
        let login = try send(#"{"email": "a@b.org", "password": "x", "remember": true}"#, to: "/api/v1/auth/login")
        XCTAssertEqual(login.json["error"]?["field"], "remember")
    }

    func testBodiesOverOneMebibyteAreRefusedByNginxInTheEnvelope() throws {
        let big = "{\"name\": \"" + String(repeating: "x", count: 1_100_000) + "\"}"
        let response = try send(big, to: "/api/v1/me", method: "PATCH", token: try adminToken())
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.errorCode, "too_large")
    }

    func testSQLMetacharactersAreStoredVerbatim() throws {
        let token = try adminToken()
        let hostile = "Robert'); DROP TABLE users; -- \\ \" ` % _ ;"
        let created = try client.post("/api/v1/users", ["email": "bobby-\(UUID().uuidString.prefix(6))@calcflow.test", "name": .string(hostile),
                                                        "password": "a long enough password"], token: token)
        XCTAssertEqual(created.status, 201, created.description)
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        XCTAssertEqual(try client.get("/api/v1/users/\(id)", token: token).json["name"]?.stringValue, hostile)
        let login = try client.post("/api/v1/auth/login", ["email": "' OR '1'='1", "password": "' OR '1'='1"])
        XCTAssertEqual(login.status, 401)
        XCTAssertEqual(try client.get("/api/v1/users?cursor=1%27%20OR%201=1", token: token).status, 400)
        XCTAssertEqual(try client.get("/api/v1/users/1%20OR%201=1", token: token).status, 404)
        XCTAssertEqual(try client.get("/api/v1/healthz").status, 200, "the users table is still there")
    }

    func testUnicodeRoundTrips() throws {
        let token = try adminToken()
        let name = "Zoë 🧪 Ångström 量子"
        let created = try client.post("/api/v1/users", ["email": "unicode-\(UUID().uuidString.prefix(6))@calcflow.test", "name": .string(name),
                                                        "password": "a long enough password"], token: token)
        XCTAssertEqual(created.json["name"]?.stringValue, name)
    }

    func testWrongContentTypeIsExplained() throws {
        let response = try client.send("POST", "/api/v1/auth/login", body: Array("email=a&password=b".utf8),
                                       headers: [("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(response.status, 415)
        XCTAssertNotNil(response.errorCode)
    }

    func testUnknownRoutesAndMethods() throws {
        let missing = try client.get("/api/v1/no-such-thing")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorCode, "not_found")
        let wrongMethod = try client.send("PUT", "/api/v1/healthz")
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.header("Allow"), "GET")
    }

    func testEmptyBodiesWhereOneIsNeeded() throws {
        let response = try client.send("POST", "/api/v1/auth/login", body: [])
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.errorCode, "bad_json")
    }

    func testNoFuzzedBodyCausesA5xx() throws {
        let token = try adminToken()
        var generator = SystemRandomNumberGenerator()
        let fragments = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-0", "\"email\"", "\"password\"", "\\u0000", "\u{FFFD}", "'", ";", "--"]
        for _ in 0..<150 {
            let body = (0..<Int.random(in: 1...12, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
            for (method, path) in [("POST", "/api/v1/users"), ("PATCH", "/api/v1/me"), ("POST", "/api/v1/auth/login")] {
                let response = try send(body, to: path, method: method, token: token)
                XCTAssertLessThan(response.status, 500, "\(method) \(path) \(body): \(response)")
            }
        }
    }

    /// Headers are input too: what a browser or a proxy may send in them never causes a 5xx.
    func testNoOddHeaderCausesA5xx() throws {
        let token = try adminToken()
        let odd = ["Zoë 🧪 量子", String(repeating: "e\u{301}", count: 300), String(repeating: "x", count: 6_000), "'; DROP TABLE users; --", "\u{FFFD}\u{FEFF}"]
        let login = (["email": .string(stack.adminEmail), "password": .string(stack.adminPassword)] as JSON).serialized()
        for value in odd {
            for name in ["User-Agent", "Cookie", "X-Forwarded-For", "Accept-Language"] {
                let signIn = try client.send("POST", "/api/v1/auth/login", body: login, headers: [(name, value)])
                XCTAssertLessThan(signIn.status, 500, "\(name): \(value.prefix(40)) → \(signIn)")
                let me = try client.send("GET", "/api/v1/me", token: token, headers: [(name, value)])
                XCTAssertLessThan(me.status, 500, "\(name): \(value.prefix(40)) → \(me)")
            }
            let refresh = try client.send("POST", "/api/v1/auth/refresh", cookie: "calcflow_refresh=\(value)")
            XCTAssertLessThan(refresh.status, 500, "refresh cookie \(value.prefix(40)) → \(refresh)")
            let bearer = try client.send("GET", "/api/v1/me", headers: [("Authorization", "Bearer \(value)")])
            XCTAssertEqual(bearer.status, 401, "bearer \(value.prefix(40))")
        }
    }

    /// The agent protocol gets the same treatment: fuzzed bodies, and well-formed reports with
    /// values at and past their limits, on a claimed calculation.
    func testNoFuzzedAgentReportCausesA5xx() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster, name: "fuzzed")
        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        var generator = SystemRandomNumberGenerator()
        let fragments = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-1", "18446744073709551616", "\"seq\"", "\"state\"",
                         "\"succeeded\"", "\"progress\"", "\"data\"", "\"entries\"", "\\u0000", "\u{FFFD}"]
        let paths = [("POST", "/api/v1/agent/calculations/\(id)/events"), ("PUT", "/api/v1/agent/calculations/\(id)/analyses/scf"),
                     ("POST", "/api/v1/agent/heartbeat"), ("POST", "/api/v1/agent/logs")]
        for _ in 0..<100 {
            let body = (0..<Int.random(in: 1...12, using: &generator)).map { _ in fragments.randomElement(using: &generator)! }.joined()
            for (method, path) in paths {
                let response = try client.send(method, path, body: Array(body.utf8), token: cluster.key)
                XCTAssertLessThan(response.status, 500, "\(method) \(path) \(body): \(response)")
            }
        }
        let edges: [JSON] = [
            ["seq": .integer(Int64.max), "level": "INFO", "message": "last seq"],
            ["seq": 1, "level": "INFO", "message": "", "progress": ["done": .integer(Int64(UInt32.max)), "total": .integer(Int64(UInt32.max))]],
            ["seq": 2, "level": "INFO", "message": "x", "progress": ["done": .integer(Int64(UInt32.max) + 1), "total": 1]],
            ["seq": 3, "level": "ERROR", "message": "x", "step": .string(String(repeating: "e\u{301}", count: 60))],
            ["seq": 4, "level": "WARN", "message": "x"],
            ["seq": 5, "state": "queued", "level": "INFO", "message": "x"],
            ["seq": 6, "state": "failed", "level": "ERROR", "message": "x", "reason": .string(String(repeating: "€", count: 2_000))],
            ["seq": 6, "state": "running", "level": "INFO", "message": "a replay, whatever it says"],
        ]
        for edge in edges {
            let response = try client.post("/api/v1/agent/calculations/\(id)/events", edge, token: cluster.key)
            XCTAssertLessThan(response.status, 500, "\(edge.serializedString()): \(response)")
        }
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["state"], "failed")
    }
}
