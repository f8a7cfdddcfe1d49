package import FinRec
import Foundation

/// Bearer tokens as the service stores them: one client per line, its name and the SHA-256 of its
/// token (`loan-system 9f86d0…`); `#` starts a comment. The tokens themselves are never stored:
/// `finrec token NAME --tokens FILE` prints a new one once and appends its hash.
package struct TokenFile: Sendable {
    /// Token hash → client name.
    package let clients: [String: String]

    package init(clients: [String: String]) { self.clients = clients }

    /// The token file at `path`, checked line by line; it must list a client.
    package static func read(path: String) throws -> TokenFile {
        let file = try parse(try text(path: path), path: path)
        guard !file.clients.isEmpty else {
            throw InputFileError(path: path, message: "lists no client; add one with `finrec token NAME --tokens \(path)`")
        }
        return file
    }

    /// The token file's text.
    package static func text(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputFileError(path: path, message: "cannot read the token file; create it with `finrec token NAME --tokens \(path)`")
        }
        return text
    }

    /// Every line of a token file's text checked (comments and blank lines skipped); may list no
    /// client (a file `finrec token` is about to add the first one to). `path` names it in errors.
    package static func parse(_ text: String, path: String) throws -> TokenFile {
        var clients: [String: String] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, isClientName(String(parts[0])),
                  parts[1].count == 64, parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw InputFileError(path: path, line: i + 1, message: "expected a client name and the 64-digit lowercase SHA-256 of its token, e.g. \"loan-system 9f86d081…\"; `finrec token` writes such lines")
            }
            guard !clients.values.contains(String(parts[0])) else {
                throw InputFileError(path: path, line: i + 1, message: "client \(parts[0]) is listed twice; give each client one line")
            }
            clients[String(parts[1])] = String(parts[0])
        }
        return TokenFile(clients: clients)
    }

    /// Client names: letters, digits, `-`, `_`, `.`; 1 to 64 characters.
    package static func isClientName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// The client a presented token belongs to, or nil.
    package func client(presenting token: String) -> String? {
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
