/// NIST 800-63B: length matters, composition rules do not.
public enum PasswordRule {
    public static let minimumLength = 10
    public static let maximumLength = 1_024

    public static func check(_ password: String, field: String = "password") throws(ValidationError) {
        if password.count < minimumLength {
            throw ValidationError(field: field, message: "must be at least \(minimumLength) characters long")
        }
        if password.utf8.count > maximumLength {
            throw ValidationError(field: field, message: "must be at most \(maximumLength) bytes long")
        }
    }
}
