import FinRecBase
/// Bad input in a user's file: where (file, line, column, field) and what to do.
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let line: Int?
    public let column: Int?
    public let field: String?
    public let message: String

    package init(path: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var place = path
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let field { place += " (\(field))" }
        return "\(place): \(message)"
    }
}
