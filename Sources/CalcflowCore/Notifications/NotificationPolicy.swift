/// Who gets a mail about a calculation: the creator and every admin, each at their own level;
/// approval requests go to moderators and admins.
public enum NotificationPolicy {
    public struct Person: Sendable, Equatable, Hashable {
        public var id: Int64
        public var email: String
        public var role: Role
        public var level: EmailLevel
        public init(id: Int64, email: String, role: Role, level: EmailLevel) {
            self.id = id
            self.email = email
            self.role = role
            self.level = level
        }
    }

    public static func wants(_ level: EmailLevel, _ notification: CalculationLifecycle.Notification) -> Bool {
        switch (level, notification) {
        case (.none, _): return false
        case (_, .approvalNeeded): return true
        case (.info, _): return true
        case (.error, .failed), (.error, .notConverged), (.error, .lost): return true
        case (.error, _): return false
        }
    }

    /// Each person once, in id order, among `creator` and `staff` (the admins, or for approval the
    /// moderators and admins).
    public static func recipients(of notification: CalculationLifecycle.Notification, creator: Person?, staff: [Person]) -> [Person] {
        var people: [Person] = []
        if notification == .approvalNeeded {
            people = staff.filter { $0.role >= .moderator }
        } else {
            people = staff.filter { $0.role == .admin }
            if let creator, !people.contains(where: { $0.id == creator.id }) { people.append(creator) }
        }
        return people.filter { wants($0.level, notification) }.sorted { $0.id < $1.id }
    }
}
