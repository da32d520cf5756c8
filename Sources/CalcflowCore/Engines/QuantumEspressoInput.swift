/// What the agent lets a pw.x input set. `outdir`, `wfcdir` and `pseudo_dir` are the agent's: it
/// points them at the step's own folder and the cluster's pseudopotentials, so that an input can
/// neither write outside its calculation nor read files it was not given.
public enum QuantumEspressoInput {
    public static let agentOwnedVariables: Set<String> = ["outdir", "wfcdir", "pseudo_dir"]

    /// Throws when the input sets one of the agent's variables, naming it and its line.
    public static func checkAgentOwnedVariables(_ input: String, field: String = "configuration.input") throws(ValidationError) {
        for assignment in FortranNamelist.assignments(in: input) where agentOwnedVariables.contains(assignment.variable) {
            throw ValidationError(field: field, message: "sets \(assignment.variable) (line \(assignment.line), &\(assignment.namelist.uppercased())); "
                                  + "leave out outdir, wfcdir and pseudo_dir: the agent sets them to the step's folder and the cluster's pseudopotentials")
        }
    }
}
