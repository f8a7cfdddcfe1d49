package import FinRecBase
import FinRecRecords
import FinRecLinear
/// Why a catalog file could not be used: the file, the JSON path of the field, what is wrong.
package struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    package let path: String
    package let field: String?
    package let message: String

    package init(path: String, field: String?, message: String) {
        self.path = path
        self.field = field
        self.message = message
    }

    package var description: String {
        "\(path)\(field.map { ": \($0)" } ?? ""): \(message)"
    }

    /// The same problem as a field of a document that embeds the catalog or spec.
    package var fieldError: JSONFieldError { JSONFieldError(keyPath: field ?? "(top level)", message: message) }
}
