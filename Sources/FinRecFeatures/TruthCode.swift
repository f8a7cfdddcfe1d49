import FinRecBase

extension Truth {
    /// The status as the JSON and CSV contracts write it: `pass`, `unknown` or `fail`.
    public var code: String {
        switch self {
        case .pass: "pass"
        case .unknown: "unknown"
        case .fail: "fail"
        }
    }
}
