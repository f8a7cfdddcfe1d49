import FinRecBase
package import FinRecRecords
import FinRecLinear
extension RecordSchema {
    /// The warning for columns or keys of an input that are not fields of this schema (they are
    /// read, kept for expressions, and ignored by the rules and the model), with the nearest field
    /// name where one is close enough to be a typo; nil when there are none. Label columns
    /// (`label_…`, `truth_…`) are not mentioned.
    package func unknownFieldsWarning(_ names: [String], file: String) -> String? {
        let shown = names.filter { !$0.hasPrefix("label_") && !$0.hasPrefix("truth_") }
        guard !shown.isEmpty else { return nil }
        let known = fields.flatMap { [$0.name, $0.chineseName] + $0.aliases }
        let listed = shown.map { name in
            ExpressionCompiler.closest(to: name, in: known).map { "\(name) (did you mean '\($0)'?)" } ?? name
        }
        return "\(file): ignored \(shown.count == 1 ? "a column" : "\(shown.count) columns") FinRec does not know: "
            + listed.joined(separator: ", ") + "; `finrec schema` lists the fields it reads"
    }
}
