import ArgumentParser
import FinRec
import Foundation

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score one applicant: every offer ranked, with probability, points, reason codes and the rules that block the rest.",
        discussion: """
            APPLICANT is a JSON object (or array, or JSON Lines), a CSV with a header, or - for \
            standard input. Eligible offers come first by suitability, then undecided ones with the \
            fields that would decide them, then ineligible ones with the rule that blocks them. \
            The JSON output is a stable contract, documented in README.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @Argument(help: "Applicant file (.json, .jsonl or .csv), or - for standard input.")
    var applicant: String

    @Option(name: .long, help: "Model file (default: $FINREC_MODEL, else Models/default-model.json here or beside the finrec executable's package).")
    var model: String?

    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: Format = .table

    @Option(name: .long, help: "Language of reasons and labels: zh or en (offer names always show their Chinese name).")
    var lang: LanguageOption = .zh

    @Option(name: .long, help: "How many reason codes up and down to show per offer.")
    var reasons = 3

    @OptionGroup var assessment: AssessmentDateOption
    @OptionGroup var reading: ReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard (0...50).contains(reasons) else { throw ValidationError("Please give --reasons a whole number from 0 to 50.") }
    }

    func run() throws {
        print(try render(), terminator: "")
    }

    /// The report the command prints.
    func render() throws -> String {
        let modelPath = try DefaultModel.resolve(model)
        let trained = try TrainedModel.read(from: modelPath)
        let scorer = try OfferScorer(model: trained, asOf: assessment.day, threads: runtime.policy)
        let reader = try EnterpriseFileReader(path: applicant, options: reading.readerOptions(for: applicant))
        var results: [ApplicantAssessment] = []
        while let chunk = try reader.nextChunk() {
            guard results.count + chunk.rowCount <= ScoreReport.maximumApplicants else {
                throw InputFileError(path: reader.path, message: "more than \(ScoreReport.maximumApplicants) applicants; use `finrec rank` for pools")
            }
            results += ApplicantAssessment.assess(scorer.score(chunk, firstRow: results.count), with: scorer, language: lang.language)
        }
        _ = try reader.finish()
        guard !results.isEmpty else {
            throw InputFileError(path: reader.path, message: "has no applicant in it; give one enterprise (see Datasets/applicants/ for examples)")
        }
        let report = ScoreReport(results: results, scorer: scorer, language: lang.language, reasons: reasons, modelPath: modelPath, asOf: assessment.asOf)
        switch format {
        case .table: return report.table()
        case .json: return report.json()
        case .csv: return report.csv()
        }
    }
}

/// `--lang zh|en`, shared by score and rank.
enum LanguageOption: String, ExpressibleByArgument, CaseIterable {
    case zh, en
    var language: Language { self == .zh ? .zh : .en }
}

/// Where the shipped model is found when `--model` is left out.
enum DefaultModel {
    static let relativePath = "Models/default-model.json"

    static func resolve(_ given: String?) throws -> String {
        if let given { return given }
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["FINREC_MODEL"], !env.isEmpty { return env }
        candidates.append(relativePath)
        // .build/<config>/finrec → the package root is three folders up.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent(relativePath).path)
            folder = folder.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) { return found }
        throw ValidationError("No model given and none found at \(relativePath); pass --model PATH or set FINREC_MODEL.")
    }
}

/// Renders applicant assessments as a terminal table, the JSON contract, or CSV (one line per
/// applicant × offer).
struct ScoreReport {
    static let maximumApplicants = 10_000
    /// Reasons shown per ineligible offer in the table (JSON and CSV carry them all).
    static let tableReasons = 4
    let results: [ApplicantAssessment]
    let scorer: OfferScorer
    let language: Language
    let reasons: Int
    let modelPath: String
    let asOf: String

    var zh: Bool { language == .zh }

    func statusText(_ status: Truth) -> String {
        switch status {
        case .pass: zh ? "符合" : "eligible"
        case .unknown: zh ? "待定" : "unknown"
        case .fail: zh ? "不符合" : "ineligible"
        }
    }

    static func statusCode(_ status: Truth) -> String {
        switch status {
        case .pass: "pass"
        case .unknown: "unknown"
        case .fail: "fail"
        }
    }

    func offerName(_ offer: Catalog.Offer) -> String {
        zh ? "\(offer.chineseName) (\(offer.id))" : "\(offer.chineseName) \(offer.englishName) (\(offer.id))"
    }

    func signedPoints(_ x: Double) -> String { (x >= 0 ? "+" : "") + formatFixed(x, digits: 1) }

    func valueText(_ value: FeatureValue?) -> String? {
        switch value {
        case .number(let v): Fixed.format(v, digits: abs(v) >= 100 ? 0 : 4)
        case .category(let code, let chinese): zh ? chinese : code
        case .missing: zh ? "缺失" : "missing"
        case nil: nil
        }
    }

    func codeText(_ code: ReasonCode, _ a: ApplicantAssessment) -> String {
        let value = valueText(a.featureValues[code.feature]).map { " = \($0)" } ?? ""
        return "\(code.label(language))\(value) \(signedPoints(code.points))" + (zh ? "分" : " pts")
    }

    // MARK: Table

    func table() -> String {
        var out = ""
        for a in results {
            let who = a.name.map { "\($0)（\(a.enterpriseID)）" } ?? a.enterpriseID
            out += (zh ? "企业 \(who)  评估日 \(asOf)\n" : "Enterprise \(who)  assessed as of \(asOf)\n")
            let figures = a.keyFigures.map { "\($0.label) \($0.text)" }
            for start in stride(from: 0, to: figures.count, by: 4) {
                out += "  " + figures[start..<min(start + 4, figures.count)].joined(separator: " · ") + "\n"
            }
            out += "\n"
            let nameWidth = (a.offers.map { offerName($0.offer).displayWidth }.max() ?? 0) + 2
            out += (zh ? "排名" : "rank").padded(to: 6) + (zh ? "产品/板块" : "offer").padded(to: nameWidth)
                + (zh ? "状态" : "status").padded(to: 12) + (zh ? "概率" : "prob.").padded(to: 8) + (zh ? "分数" : "points") + "\n"
            for o in a.offers {
                out += String(o.rank).padded(to: 6) + offerName(o.offer).padded(to: nameWidth) + statusText(o.status).padded(to: 12)
                    + (o.probability.map { formatFixed($0, digits: 3) } ?? "-").padded(to: 8)
                    + (o.points.map { formatFixed($0, digits: 0) } ?? "-") + "\n"
                let shown = o.status == .fail ? Self.tableReasons : o.reasons.count
                for reason in o.reasons.prefix(shown) { out += "      · \(reason.text)\n" }
                if o.reasons.count > shown {
                    out += "      " + (zh ? "（另有 \(o.reasons.count - shown) 条，见 --format json）" : "(\(o.reasons.count - shown) more: see --format json)") + "\n"
                }
                let up = o.topUp(reasons), down = o.topDown(reasons)
                if !up.isEmpty { out += "      " + (zh ? "加分：" : "up: ") + up.map { codeText($0, a) }.joined(separator: "；") + "\n" }
                if !down.isEmpty { out += "      " + (zh ? "减分：" : "down: ") + down.map { codeText($0, a) }.joined(separator: "；") + "\n" }
                if let terms = o.offer.terms, o.status != .fail {
                    out += "      " + (zh ? "额度 \(terms.amountChinese)；期限 \(terms.termChinese)；利率 \(terms.rateChinese)"
                                         : "amount \(terms.amountEnglish); term \(terms.termEnglish); rate \(terms.rateEnglish)") + "\n"
                }
            }
            out += "\n"
        }
        return out
    }

    // MARK: JSON

    func json() -> String {
        func number(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? .number($0) : .null } ?? .null }
        func codes(_ list: [ReasonCode], _ a: ApplicantAssessment) -> JSONValue {
            .array(list.map { c in
                .object(JSONObject([("feature", .string(c.feature)), ("label", .string(c.label(language))),
                                    ("value", valueText(a.featureValues[c.feature]).map(JSONValue.string) ?? .null),
                                    ("points", .number(c.points)), ("logit", .number(c.logit))]))
            })
        }
        let enterprises: [JSONValue] = results.map { a in
            let figures: [JSONValue] = a.keyFigures.map { f in
                .object(JSONObject([("name", .string(f.name)), ("label", .string(f.label)), ("value", number(f.value)), ("text", .string(f.text))]))
            }
            let offers: [JSONValue] = a.offers.map { o in
                var object = JSONObject([
                    ("rank", .number(Double(o.rank))), ("id", .string(o.offer.id)), ("kind", .string(o.offer.kind.rawValue)),
                    ("name_zh", .string(o.offer.chineseName)), ("name_en", .string(o.offer.englishName)),
                    ("status", .string(Self.statusCode(o.status))), ("probability", number(o.probability)),
                    ("points", number(o.points)), ("logit", number(o.logit)), ("base_points", number(o.basePoints)),
                ])
                object["reasons"] = .array(o.reasons.map { r in
                    .object(JSONObject([("condition", .string(r.conditionID)), ("status", .string(Self.statusCode(r.status))),
                                        ("text", .string(r.text)), ("missing_fields", .array(r.missingFields.map(JSONValue.string))),
                                        ("unconfirmed", .bool(r.unconfirmed)), ("source", .string(r.source))]))
                })
                object["reason_codes_up"] = codes(o.topUp(reasons), a)
                object["reason_codes_down"] = codes(o.topDown(reasons), a)
                object["terms"] = o.offer.terms.map { t in
                    .object(JSONObject([("amount", .string(zh ? t.amountChinese : t.amountEnglish)), ("term", .string(zh ? t.termChinese : t.termEnglish)),
                                        ("rate", .string(zh ? t.rateChinese : t.rateEnglish)), ("source", .string(t.source))]))
                } ?? .null
                return .object(object)
            }
            return .object(JSONObject([("enterprise_id", .string(a.enterpriseID)), ("name", a.name.map(JSONValue.string) ?? .null),
                                       ("line", .number(Double(a.line))), ("key_figures", .array(figures)), ("offers", .array(offers))]))
        }
        let scaling = scorer.model.scaling
        return JSONValue.object(JSONObject([
            ("format", .string("finrec-score")), ("format_version", .number(1)), ("finrec_version", .string(FinRecVersion.current)),
            ("model", .string(modelPath)), ("as_of", .string(asOf)), ("language", .string(language.rawValue)),
            ("scaling", .object(JSONObject([("offset", .number(scaling.offset)), ("factor", .number(scaling.factor))]))),
            ("enterprises", .array(enterprises)),
        ])).prettyPrinted()
    }

    // MARK: CSV

    func csv() -> String {
        var out = "enterprise_id,name,rank,offer_id,offer_name_zh,kind,status,probability,points,reasons,reason_codes_up,reason_codes_down\n"
        for a in results {
            for o in a.offers {
                let fields = [
                    a.enterpriseID, a.name ?? "", String(o.rank), o.offer.id, o.offer.chineseName, o.offer.kind.rawValue, Self.statusCode(o.status),
                    o.probability.map { "\($0)" } ?? "", o.points.map { "\($0)" } ?? "",
                    o.reasons.map(\.text).joined(separator: "; "),
                    o.topUp(reasons).map { codeText($0, a) }.joined(separator: "; "),
                    o.topDown(reasons).map { codeText($0, a) }.joined(separator: "; "),
                ]
                out += fields.map(CSVField.escape).joined(separator: ",") + "\n"
            }
        }
        return out
    }
}
