import CalcflowCore
import XCTest

final class UserPolicyTests: XCTestCase {
    let admin = UserPolicy.Party(id: 1, role: .admin)
    let otherAdmin = UserPolicy.Party(id: 2, role: .admin)
    let moderator = UserPolicy.Party(id: 3, role: .moderator)
    let otherModerator = UserPolicy.Party(id: 4, role: .moderator)
    let user = UserPolicy.Party(id: 5, role: .user)
    let otherUser = UserPolicy.Party(id: 6, role: .user)

    func testRolesAreOrdered() {
        XCTAssertLessThan(Role.user, Role.moderator)
        XCTAssertLessThan(Role.moderator, Role.admin)
    }

    func testOnlyModeratorsAndAdminsListUsers() {
        XCTAssertEqual(UserPolicy.canList(actor: user), .forbidden("listing users needs the moderator role"))
        XCTAssertEqual(UserPolicy.canList(actor: moderator), .allowed)
        XCTAssertEqual(UserPolicy.canList(actor: admin), .allowed)
    }

    func testUsersSeeOnlyThemselves() {
        XCTAssertEqual(UserPolicy.canView(actor: user, target: user), .allowed)
        XCTAssertNotEqual(UserPolicy.canView(actor: user, target: otherUser), .allowed)
        XCTAssertEqual(UserPolicy.canView(actor: moderator, target: admin), .allowed)
    }

    func testModeratorsBlockAndResetPasswordsOfNonAdminsOnly() {
        let block = UserChange(blocked: true)
        let password = UserChange(password: "a new long password")
        XCTAssertEqual(UserPolicy.canApply(block, actor: moderator, target: user), .allowed)
        XCTAssertEqual(UserPolicy.canApply(block, actor: moderator, target: otherModerator), .allowed)
        XCTAssertNotEqual(UserPolicy.canApply(block, actor: moderator, target: admin), .allowed)
        XCTAssertEqual(UserPolicy.canApply(password, actor: moderator, target: user), .allowed)
        XCTAssertNotEqual(UserPolicy.canApply(password, actor: moderator, target: admin), .allowed)
        XCTAssertNotEqual(UserPolicy.canApply(block, actor: user, target: otherUser), .allowed)
        XCTAssertNotEqual(UserPolicy.canApply(password, actor: user, target: otherUser), .allowed)
    }

    func testOnlyAdminsChangeRoles() {
        let promote = UserChange(role: .moderator)
        XCTAssertEqual(UserPolicy.canApply(promote, actor: admin, target: user), .allowed)
        XCTAssertNotEqual(UserPolicy.canApply(promote, actor: moderator, target: user), .allowed)
        XCTAssertNotEqual(UserPolicy.canApply(UserChange(role: .admin), actor: user, target: user), .allowed)
    }

    func testAnAdminCannotDeleteDemoteOrBlockItself() {
        guard case .conflict = UserPolicy.canDelete(actor: admin, target: admin) else { return XCTFail("self-delete must be a conflict") }
        guard case .conflict = UserPolicy.canApply(UserChange(role: .user), actor: admin, target: admin) else { return XCTFail("self-demotion must be a conflict") }
        guard case .conflict = UserPolicy.canApply(UserChange(blocked: true), actor: admin, target: admin) else { return XCTFail("self-block must be a conflict") }
        XCTAssertEqual(UserPolicy.canDelete(actor: admin, target: otherAdmin), .allowed)
        XCTAssertEqual(UserPolicy.canApply(UserChange(role: .user), actor: admin, target: otherAdmin), .allowed)
    }

    func testOnlyAdminsCreateDeleteAndRevoke() {
        for actor in [user, moderator] {
            XCTAssertNotEqual(UserPolicy.canCreate(actor: actor), .allowed)
            XCTAssertNotEqual(UserPolicy.canDelete(actor: actor, target: otherUser), .allowed)
            XCTAssertNotEqual(UserPolicy.canRevokeSessions(actor: actor), .allowed)
        }
        XCTAssertEqual(UserPolicy.canCreate(actor: admin), .allowed)
        XCTAssertEqual(UserPolicy.canRevokeSessions(actor: admin), .allowed)
    }

    func testEveryoneEditsTheirOwnNameAndEmailLevel() {
        let change = UserChange(name: "Ada", emailLevel: .error)
        XCTAssertEqual(UserPolicy.canApply(change, actor: user, target: user), .allowed)
        XCTAssertNotEqual(UserPolicy.canApply(change, actor: user, target: otherUser), .allowed)
        XCTAssertEqual(UserPolicy.canApply(change, actor: moderator, target: user), .allowed)
    }
}
