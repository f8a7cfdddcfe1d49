import FinRecBase
extension RecordSchema {
    /// The schema as a Markdown table: field, Chinese name, type, unit and range, meaning, other
    /// accepted header spellings. DATASET.md embeds this table and a test keeps the two equal.
    package func markdownTable() -> String {
        var lines = ["| field | 中文名 | type | unit / range / values | meaning | also accepted as |",
                     "|---|---|---|---|---|---|"]
        for f in fields {
            let range: String
            switch f.kind {
            case .creditCode: range = "18 characters, GB 32100-2015 check character"
            case .text(let n): range = "≤ \(n) characters"
            case .category(let values): range = values.map { "`\($0.code)` \($0.chinese)" }.joined(separator: ", ")
            case .integer(let r): range = "\(FieldKind.format(r.lowerBound)) – \(FieldKind.format(r.upperBound))"
            case .number(let r, let unit): range = "\(unit), \(FieldKind.format(r.lowerBound)) – \(FieldKind.format(r.upperBound))"
            case .ratio(let r): range = "fraction \(FieldKind.format(r.lowerBound)) – \(FieldKind.format(r.upperBound)) (or percent, e.g. 12%)"
            case .flag: range = "1/0 (true/false, yes/no, 是/否)"
            case .date: range = "YYYY-MM-DD"
            }
            let name = f.required ? "`\(f.name)` (required)" : "`\(f.name)`"
            let aliases = f.aliases.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| \(name) | \(f.chineseName) | \(f.kind.typeName) | \(range) | \(f.summary) | \(aliases) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
