#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signals to a process group by its leader's id, with kill(2): also for a step that an earlier agent
/// started, which this process knows only by the id in the step's folder.
public enum ProcessGroup {
    public enum Signal: Sendable {
        case terminate
        case kill

        var number: Int32 {
            switch self {
            case .terminate: return SIGTERM
            case .kill: return SIGKILL
            }
        }
    }

    /// Sends `signal` to every process of the group `leader` leads. False when there is none left.
    @discardableResult
    public static func signal(_ signal: Signal, leader: Int32) -> Bool {
        guard leader > 1 else { return false }
        return kill(-leader, signal.number) == 0
    }

    /// Whether a process of this id exists (it may be a zombie not yet waited for).
    public static func exists(_ processID: Int32) -> Bool {
        guard processID > 0 else { return false }
        return kill(processID, 0) == 0 || errno == EPERM
    }
}
