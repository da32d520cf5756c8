import CalcflowCore
import Foundation
import JSON
import MariaDB

/// `/clusters`: every signed-in user sees them; admins create, edit, delete them and issue keys.
enum ClusterRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/clusters", access: .anyUser, handler: list),
            Route("POST", "/api/v1/clusters", access: .signedIn(minimum: ClusterPolicy.managingRole), handler: create),
            Route("GET", "/api/v1/clusters/{id}", access: .anyUser, handler: show),
            Route("PATCH", "/api/v1/clusters/{id}", access: .signedIn(minimum: ClusterPolicy.managingRole), handler: update),
            Route("DELETE", "/api/v1/clusters/{id}", access: .signedIn(minimum: ClusterPolicy.managingRole), handler: delete),
            Route("POST", "/api/v1/clusters/{id}/keys", access: .signedIn(minimum: ClusterPolicy.managingRole), handler: createKey),
            Route("GET", "/api/v1/clusters/{id}/keys", access: .signedIn(minimum: ClusterPolicy.managingRole), handler: listKeys),
            Route("DELETE", "/api/v1/clusters/{id}/keys/{key_id}", access: .signedIn(minimum: ClusterPolicy.managingRole), handler: revokeKey),
            Route("GET", "/api/v1/clusters/{id}/metrics", access: .anyUser, handler: metrics),
        ]
    }

    static func cluster(_ context: RequestContext) throws -> (ClusterStore, ClusterRecord) {
        let clusters = try context.clusters()
        let id = try context.request.identifier()
        guard let cluster = try clusters.find(id: id) else { throw APIError(.notFound, "there is no cluster \(id)") }
        return (clusters, cluster)
    }

    static func render(_ cluster: ClusterRecord, _ context: RequestContext) -> JSON {
        cluster.json.setting("allowed_actions", to: .array(ClusterPolicy.allowedActions(role: context.user.role, enabled: cluster.enabled)
            .map { .string($0.rawValue) }))
    }

    static func validName(_ name: String) throws(ValidationError) -> String {
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", options: .regularExpression) != nil else {
            throw ValidationError(field: "name", message: "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit: it names folders on the cluster")
        }
        return name
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let clusters = try context.clusters().list(page)
        return .json(page.page(of: clusters, id: \.id) { render($0, context) })
    }

    @Sendable static func create(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let name = try validName(try input.name("name", required: true, maxLength: 64) ?? "")
        let description = try input.string("description", maxLength: 2_000) ?? ""
        let requiresApproval = try input.bool("requires_approval") ?? false
        let maxRunning = try input.integer("max_running", range: 0...100_000) ?? 0
        let interval = try input.integer("heartbeat_interval", range: 1...3_600) ?? 30
        try input.rejectUnknownFields()
        guard let cluster = try context.clusters().create(name: name, description: description, requiresApproval: requiresApproval,
                                                      maxRunning: maxRunning, heartbeatInterval: interval) else {
            throw APIError(.conflict, "a cluster named '\(name)' already exists", field: "name")
        }
        context.services.logger.info("cluster_created", metadata: ["cluster": "\(cluster.id)", "name": "\(name)", "by": "\(context.user.id)"])
        return .json(render(cluster, context), status: 201)
    }

    @Sendable static func show(_ context: RequestContext) throws -> Response {
        .json(render(try cluster(context).1, context))
    }

    @Sendable static func update(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        var assignments: [(column: String, value: SQLValue)] = []
        if let name = try input.name("name", maxLength: 64) { assignments.append(("name", .text(try validName(name)))) }
        if let description = try input.string("description", maxLength: 2_000) { assignments.append(("description", .text(description))) }
        if let enabled = try input.bool("enabled") { assignments.append(("enabled", SQLValue(enabled))) }
        if let approval = try input.bool("requires_approval") { assignments.append(("requires_approval", SQLValue(approval))) }
        if let maxRunning = try input.integer("max_running", range: 0...100_000) { assignments.append(("max_running", .integer(maxRunning))) }
        if let interval = try input.integer("heartbeat_interval", range: 1...3_600) { assignments.append(("heartbeat_interval", .integer(interval))) }
        try input.rejectUnknownFields()
        if assignments.isEmpty { throw ValidationError(field: nil, message: "nothing to change: send name, description, enabled, requires_approval, max_running or heartbeat_interval") }
        let (clusters, cluster) = try cluster(context)
        guard try clusters.update(id: cluster.id, assignments) else { throw APIError(.conflict, "another cluster has that name", field: "name") }
        context.services.logger.info("cluster_updated", metadata: ["cluster": "\(cluster.id)", "by": "\(context.user.id)"])
        return .json(try clusters.find(id: cluster.id).map { render($0, context) } ?? .null)
    }

    @Sendable static func delete(_ context: RequestContext) throws -> Response {
        let (clusters, cluster) = try cluster(context)
        if try clusters.hasCalculations(id: cluster.id) {
            throw APIError(.conflict, "cluster '\(cluster.name)' has calculations; disable it instead (PATCH enabled: false) so that their results stay")
        }
        try clusters.delete(id: cluster.id)
        context.services.logger.info("cluster_deleted", metadata: ["cluster": "\(cluster.id)", "by": "\(context.user.id)"])
        return .noContent
    }

    @Sendable static func createKey(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let label = try input.string("label", maxLength: 200) ?? ""
        try input.rejectUnknownFields()
        let (clusters, cluster) = try cluster(context)
        let created = try clusters.createKey(clusterID: cluster.id, label: label, createdBy: context.user.id)
        context.services.logger.info("cluster_key_created", metadata: ["cluster": "\(cluster.id)", "key": "\(created.id)", "by": "\(context.user.id)"])
        return .json(["id": .integer(created.id), "label": .string(label), "key": .string(created.key),
                      "note": "this is the only time the key is shown; store it in the agent's key file"], status: 201)
    }

    @Sendable static func listKeys(_ context: RequestContext) throws -> Response {
        let (clusters, cluster) = try cluster(context)
        return .json(["items": .array(try clusters.keys(clusterID: cluster.id)), "next_cursor": .null])
    }

    @Sendable static func revokeKey(_ context: RequestContext) throws -> Response {
        let (clusters, cluster) = try cluster(context)
        let keyID = try context.request.identifier("key_id")
        guard try clusters.revokeKey(clusterID: cluster.id, keyID: keyID) else {
            throw APIError(.notFound, "cluster '\(cluster.name)' has no active key \(keyID)")
        }
        context.services.logger.info("cluster_key_revoked", metadata: ["cluster": "\(cluster.id)", "key": "\(keyID)", "by": "\(context.user.id)"])
        return .noContent
    }

    @Sendable static func metrics(_ context: RequestContext) throws -> Response {
        let (_, cluster) = try cluster(context)
        let until = try TimeParameter.parse(context.request.query["until"], field: "until") ?? Date()
        let since = try TimeParameter.parse(context.request.query["since"], field: "since") ?? until.addingTimeInterval(-86_400)
        guard since < until else { throw ValidationError(field: "since", message: "must be before until") }
        try context.services.heartbeats.flush(on: context.database())
        let series = try HeartbeatSeries(connection: context.database()).points(clusterID: cluster.id, since: since, until: until)
        return .json(["cluster_id": .integer(cluster.id), "since": .string(Timestamp.rfc3339(since)), "until": .string(Timestamp.rfc3339(until)),
                      "resolution": .string(series.resolution), "points": .array(series.points)])
    }
}
