import MariaDB

/// One request on its worker thread: the request, the shared services, the thread's database
/// connection, and, once the router has checked it, the signed-in user.
public final class RequestContext {
    public let request: Request
    public let services: APIServices
    private let connectionProvider: () throws(APIError) -> Connection
    /// Set by the router for `.signedIn` routes before the handler runs.
    public internal(set) var signedInUser: UserRecord?
    /// Set by the router for `.agentKey` routes: the cluster whose key was presented.
    public internal(set) var agentIdentity: AgentIdentity?

    /// Set by the router for `.controllerKey` routes: the model controller whose key was presented.
    public internal(set) var controllerIdentity: ControllerIdentity?

    /// This worker thread's memory across requests.
    let worker: WorkerState
    /// Writes a streamed response (SSE, exports) as it goes; set by the responder.
    let stream: ResponseStream

    init(request: Request, services: APIServices, worker: WorkerState, stream: ResponseStream,
         connectionProvider: @escaping () throws(APIError) -> Connection) {
        self.request = request
        self.services = services
        self.worker = worker
        self.stream = stream
        self.connectionProvider = connectionProvider
    }

    /// The same caller, worker and connection answering another request: one update of a batch
    /// (`POST /agent/updates`), checked by the key that sent the batch.
    func forwarding(_ inner: Request) -> RequestContext {
        let context = RequestContext(request: inner, services: services, worker: worker, stream: stream, connectionProvider: connectionProvider)
        context.signedInUser = signedInUser
        context.agentIdentity = agentIdentity
        context.controllerIdentity = controllerIdentity
        return context
    }

    public func database() throws(APIError) -> Connection {
        try connectionProvider()
    }

    /// The users table, with the cache of signed-in users kept in step.
    func users() throws(APIError) -> UserStore {
        UserStore(connection: try database(), cache: services.userGeneration)
    }

    /// Clusters and their keys, with the cache of agent keys kept in step.
    func clusters() throws(APIError) -> ClusterStore {
        ClusterStore(connection: try database(), keyGeneration: services.agentKeyGeneration)
    }

    /// Calculations, with this worker thread's caches and the process's claimed owners.
    func calculations() throws(APIError) -> CalculationStore {
        CalculationStore(connection: try database(), publicURL: services.configuration.publicURL, worker: worker,
                         claimedOwners: services.claimedOwners)
    }

    /// The models, and the controllers' keys.
    func models() throws(APIError) -> ModelStore { ModelStore(connection: try database(), changes: services.modelGeneration) }

    /// Calls of model containers, on this worker thread's keep-alive connection.
    func modelInvoker() throws(APIError) -> ModelInvoker {
        ModelInvoker(connection: try database(), client: worker.modelClient, configuration: services.configuration,
                     records: services.invocations, shard: worker.index, metrics: worker.metrics)
    }

    func controllerKeys() throws(APIError) -> ControllerKeyStore {
        ControllerKeyStore(connection: try database(), keyGeneration: services.agentKeyGeneration)
    }

    /// The cluster of an `.agentKey` route.
    public var agent: AgentIdentity {
        guard let agentIdentity else { preconditionFailure("agent read on a route that is not .agentKey") }
        return agentIdentity
    }

    /// The signed-in user of a `.signedIn` route.
    public var user: UserRecord {
        guard let signedInUser else { preconditionFailure("user read on a route that is not .signedIn") }
        return signedInUser
    }
}
