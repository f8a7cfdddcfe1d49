import FinRec
import Foundation

/// What a token may do. A token holds one or more roles; each route needs one of them.
package enum Role: String, Sendable, CaseIterable, Comparable {
    /// Scores, ranks and plans (the API and the page), and reads its own decisions.
    case officer
    /// Reads every client's decisions (the page and `GET /v1/decisions`), and exports them.
    case supervisor
    /// Runs the service: `/metrics` and the model's information (`GET /v1/model`).
    case admin

    package static func < (a: Role, b: Role) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// What the role is for, as `finrec token --help` and the 403s say it.
    package var summary: String {
        switch self {
        case .officer: "score, rank and plan, and read its own decisions"
        case .supervisor: "read and export every client's decisions"
        case .admin: "read /metrics and the model's information"
        }
    }

    /// Roles written `officer,admin`; nil when a name is unknown or none is given.
    package static func set(parsing text: String) -> Set<Role>? {
        let roles = text.split(separator: ",", omittingEmptySubsequences: false).map { Role(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !roles.isEmpty, roles.allSatisfy({ $0 != nil }) else { return nil }
        return Set(roles.compactMap { $0 })
    }

    /// `officer,admin`, in the roles' order.
    package static func text(_ roles: Set<Role>) -> String { roles.sorted().map(\.rawValue).joined(separator: ",") }

    /// The roles of a token file line that names none (files from before roles): what every
    /// token could do then, scoring, its own decisions, /metrics and the model's information,
    /// so that a loan system and a metrics scraper keep working; not the supervisor's view of
    /// every client's decisions, which no token had.
    package static let unnamed: Set<Role> = [.officer, .admin]
}

/// One client of the service: its name, as the audit log records it, and its roles.
package struct Client: Sendable, Equatable {
    package var name: String
    package var roles: Set<Role>

    package init(name: String, roles: Set<Role>) {
        self.name = name
        self.roles = roles
    }

    /// Without tokens (loopback only) the one client, `local`, holds every role.
    package static let local = Client(name: "local", roles: Set(Role.allCases))
}

/// Bearer tokens as the service stores them: one client per line, its name, the SHA-256 of its
/// token and its roles (`loan-system 9f86d0… officer`); `#` starts a comment. A line without
/// roles (written before roles existed) gets ``Role/unnamed``. The tokens themselves are never
/// stored: `finrec token NAME --role R --tokens FILE` prints a new one once and appends its hash.
package struct TokenFile: Sendable {
    /// Token hash → client.
    package let clients: [String: Client]

    package init(clients: [String: Client]) { self.clients = clients }

    /// The token file at `path`, checked line by line; it must list a client.
    package static func read(path: String) throws -> TokenFile {
        let file = try parse(try text(path: path), path: path)
        guard !file.clients.isEmpty else {
            throw InputFileError(path: path, message: "lists no client; add one with `finrec token NAME --role officer --tokens \(path)`")
        }
        return file
    }

    /// The token file's text.
    package static func text(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputFileError(path: path, message: "cannot read the token file; create it with `finrec token NAME --role officer --tokens \(path)`")
        }
        return text
    }

    /// Every line of a token file's text checked (comments and blank lines skipped); may list no
    /// client (a file `finrec token` is about to add the first one to). `path` names it in errors.
    package static func parse(_ text: String, path: String) throws -> TokenFile {
        var clients: [String: Client] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard (2...3).contains(parts.count), isClientName(String(parts[0])),
                  parts[1].count == 64, parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw InputFileError(path: path, line: i + 1, message: "expected a client name, the 64-digit lowercase SHA-256 of its token and its roles, e.g. \"loan-system 9f86d081… officer\"; `finrec token` writes such lines")
            }
            var roles = Role.unnamed
            if parts.count == 3 {
                guard let named = Role.set(parsing: String(parts[2])) else {
                    throw InputFileError(path: path, line: i + 1, message: "unknown role in \"\(parts[2])\": give " + Role.allCases.map(\.rawValue).joined(separator: ", ") + ", or several joined by commas (officer,admin)")
                }
                roles = named
            }
            guard !clients.values.contains(where: { $0.name == String(parts[0]) }) else {
                throw InputFileError(path: path, line: i + 1, message: "client \(parts[0]) is listed twice; give each client one line")
            }
            clients[String(parts[1])] = Client(name: String(parts[0]), roles: roles)
        }
        return TokenFile(clients: clients)
    }

    /// Client names: letters, digits, `-`, `_`, `.`; 1 to 64 characters.
    package static func isClientName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// The client a presented token belongs to, or nil.
    package func client(presenting token: String) -> Client? {
        clients[Self.hash(token)]
    }

    package static func hash(_ token: String) -> String { SHA256.hex(token.utf8) }

    /// A new random token (32 bytes from the system's generator, URL-safe base64, 43 characters).
    package static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
