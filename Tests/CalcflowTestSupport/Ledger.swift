import Foundation

/// What concurrent clients of a test saw, in the order they recorded it.
public final class Ledger<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var elements: [Element] = []

    public init() {}

    public func record(_ element: Element) { lock.lock(); elements.append(element); lock.unlock() }

    public var all: [Element] { lock.lock(); defer { lock.unlock() }; return elements }
}
