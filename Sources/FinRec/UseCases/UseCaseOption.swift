import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FinRecReports
import FinRecExport
import FinRecSynthetic
/// An option a use case takes, named as each front end spells it: `--near-miss` on the command
/// line, `near_miss` in the service's query string.
public enum UseCaseOption: String, Sendable {
    case top, reasons, nearMiss, product, condition, language, threads

    /// How a front end spells its options.
    public enum Spelling: Sendable {
        /// `finrec`'s flags: `--near-miss`.
        case commandLine
        /// The service's query parameters: `near_miss`.
        case query
    }

    /// The option as `spelling` writes it.
    public func name(_ spelling: Spelling) -> String {
        switch (self, spelling) {
        case (.nearMiss, .commandLine): "--near-miss"
        case (.nearMiss, .query): "near_miss"
        case (.condition, .commandLine): "--where"
        case (.condition, .query): "where"
        case (.language, .commandLine): "--lang"
        case (.language, .query): "lang"
        case (_, .commandLine): "--" + rawValue
        case (_, .query): rawValue
        }
    }

    /// The option with a value, as the user wrote it: `--product bse`, `product=bse`.
    public func given(_ value: String, _ spelling: Spelling) -> String {
        switch spelling {
        case .commandLine: name(spelling) + " " + (self == .condition || value.contains(" ") ? "\"\(value)\"" : value)
        case .query: name(spelling) + "=" + value
        }
    }
}

/// A whole-number option outside the values its use case allows.
public struct OptionRangeError: Error, Sendable, Equatable {
    public let option: UseCaseOption
    public let range: ClosedRange<Int>

    /// Checks `value` against `range`.
    public static func check(_ value: Int, _ option: UseCaseOption, in range: ClosedRange<Int>) throws(OptionRangeError) {
        guard range.contains(value) else { throw OptionRangeError(option: option, range: range) }
    }

    /// "a whole number from 0 to 50", "a whole number of at least 1", "a whole number of 0 or more".
    public var allowed: String {
        if range.upperBound == Int.max {
            return range.lowerBound == 0 ? "a whole number of 0 or more" : "a whole number of at least \(range.lowerBound)"
        }
        return "a whole number from \(range.lowerBound) to \(range.upperBound)"
    }

    /// "Please give --reasons a whole number from 0 to 50." (the CLI's validation message).
    public func message(_ spelling: UseCaseOption.Spelling) -> String {
        "Please give \(option.name(spelling)) \(allowed)."
    }
}
