import FinRecBase
/// The outcome labels of labelled history (`label_<offer id>` columns, or a generic model's
/// label columns): 1 success, 0 failure, empty when the firm did not apply. Training and
/// evaluation read them with this one parser, so a file one accepts the other accepts too.
package enum OutcomeLabel {
    /// 1 or 0 for a label, nil for an empty cell (did not apply).
    /// - Throws: anything else, with the file, line and column name and what to write instead.
    package static func parse(_ text: String?, path: String, line: Int, field: String) throws(InputFileError) -> Double? {
        guard let text else { return nil }
        switch text {
        case "1": return 1
        case "0": return 0
        default:
            throw InputFileError(path: path, line: line, field: field,
                                 message: "\"\(text)\" is not a label; write 1 (success), 0 (failure) or leave it empty (did not apply)")
        }
    }
}
