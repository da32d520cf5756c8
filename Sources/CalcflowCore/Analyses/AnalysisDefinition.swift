/// One analysis an engine can run, and what it needs first.
public struct AnalysisDefinition: Sendable, Equatable {
    public var name: String
    public var requires: [String]
    public var description: String

    public init(name: String, requires: [String] = [], description: String = "") {
        self.name = name
        self.requires = requires
        self.description = description
    }
}
