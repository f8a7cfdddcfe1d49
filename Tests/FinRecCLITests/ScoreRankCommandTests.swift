import ArgumentParser
import FinRec
@testable import FinRecCLI
import Foundation
import Testing

/// Offers in Models/catalog.json: 10 loans and boards with a model, 新三板创新层, three MIIT tiers,
/// two renewals, 2 supply-chain offers, 4 equity offers and 9 policies.
let shippedCatalogOfferCount = 31

@Suite("finrec score and finrec rank, end to end")
struct ScoreRankCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let model = root + "/Models/default-model.json"
    static let pool = root + "/Datasets/shandong-pool.csv"

    static func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "finrec-rank-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The score report of one applicant file.
    static func report(_ file: String, language: Language) throws -> ScoreDocument {
        let scorer = try OfferScorer(model: try TrainedModel.read(from: model), asOf: CivilDate(year: 2026, month: 6, day: 30)!.daysSinceEpoch)
        let chunk = try #require(try EnterpriseFileReader(path: root + "/Datasets/applicants/" + file).nextChunk())
        let results = ApplicantAssessment.assess(scorer.score(chunk, firstRow: 0), with: scorer, language: language)
        return ScoreDocument(results: results, scorer: scorer, language: language, reasons: 3, modelPath: model, asOf: "2026-06-30")
    }

    @Test("The score JSON contract: every offer with id, Chinese name, status, probability, points and reasons", arguments: Language.allCases)
    func scoreJSONContract(language: Language) throws {
        let report = try Self.report("provincial-srdi.json", language: language)
        guard case .object(let root) = try JSONValue.parse(report.json()), case .array(let enterprises)? = root["enterprises"],
              case .object(let enterprise)? = enterprises.first, case .array(let offers)? = enterprise["offers"] else {
            Issue.record("unexpected JSON shape")
            return
        }
        #expect(root["format"] == .string("finrec-score") && root["format_version"] == .number(2))
        // Every catalog offer but the tiers the firm holds (a provincial 专精特新 SME: 创新型 and 专精特新)
        // and the three that do not concern it (the little giant's renewal, 政采贷 without a
        // procurement contract, 泰安's guarantee-fee subsidy for a 青岛 firm).
        #expect(offers.count == shippedCatalogOfferCount - 5)
        #expect(enterprise["held"] == .array([.string("innovative_sme"), .string("srdi_sme")]))
        guard case .array(let notApplicable)? = enterprise["not_applicable"] else { Issue.record("no not_applicable"); return }
        let notApplicableIDs: [JSONValue] = notApplicable.compactMap { item -> JSONValue? in
            guard case .object(let o) = item else { return nil }
            return o["id"]
        }
        #expect(notApplicableIDs == [.string("little_giant_renewal"), .string("procurement_loan"), .string("guarantee_fee_subsidy")])
        var statuses: [String: [String]] = [:]
        for (i, item) in offers.enumerated() {
            guard case .object(let o) = item, case .string(let id)? = o["id"], case .string(let status)? = o["status"],
                  case .string(let zh)? = o["name_zh"], case .array(let reasons)? = o["reasons"], case .string(let list)? = o["list"],
                  case .string(let kind)? = o["kind"] else {
                Issue.record("offer \(i) lacks a field")
                continue
            }
            // Six lists, loans first, then listing paths, tier upgrades, supply-chain finance, equity
            // and policies, each ranked from 1.
            #expect(list == ["loan": "loans", "board": "listing", "tier": "tiers", "supply_chain": "supply_chain", "equity": "equity", "policy": "policy"][kind])
            #expect(o["rank"] == .number(Double(statuses[list, default: []].count + 1)))
            #expect(zh.unicodeScalars.contains { $0.properties.isIdeographic }, "\(id): \(zh)")
            statuses[list, default: []].append(status)
            // Policies are rules only: a status and what they are worth, no probability.
            if kind == "policy" {
                #expect(o["probability"] == .null && o["points"] == .null && o["benefit"] != nil, "\(id)")
                continue
            }
            switch status {
            case "pass":
                guard case .number(let p)? = o["probability"], case .number(let points)? = o["points"] else {
                    Issue.record("\(id): pass without probability or points")
                    continue
                }
                #expect(p > 0 && p < 1 && reasons.isEmpty)
                guard case .array(let interval)? = o["probability_interval"], case .number(let low) = interval.first,
                      case .number(let high) = interval.last, case .number(let n)? = o["successes"], case .bool(let indicative)? = o["indicative"] else {
                    Issue.record("\(id): pass without interval, successes or indicative flag")
                    continue
                }
                #expect(low <= p && p <= high && indicative == (n < 200))
                // Points = offset + factor × ln(p / (1 − p)).
                let expected = report.scorer.model.scaling.points(logit: log(p / (1 - p)))
                #expect(abs(points - expected) < 1e-6 * abs(expected))
            case "fail":
                #expect(o["probability"] == .null && o["points"] == .null && !reasons.isEmpty)
            case "unknown":
                #expect(!reasons.isEmpty)
            default:
                Issue.record("\(id): status \(status)")
            }
        }
        #expect(offers.prefix(statuses["loans", default: []].count).allSatisfy { if case .object(let o) = $0 { o["list"] == .string("loans") } else { false } })
        for list in statuses.values {
            let order = list.map { ["pass": 0, "unknown": 1, "fail": 2][$0]! }
            #expect(order == order.sorted())
        }
        #expect(statuses.values.joined().contains("pass") && statuses.values.joined().contains("fail"))
    }

    @Test("Score CSV parses back: one line per offer, the same statuses as JSON")
    func scoreCSV() throws {
        let report = try Self.report("little-giant.json", language: .zh)
        let csv = report.csv()
        let folder = try Self.folder()
        try csv.write(toFile: folder + "/score.csv", atomically: true, encoding: .utf8)
        // Read it back with FinRec's own CSV reader (quoted reasons with commas and semicolons).
        let schema = RecordSchema(name: "score", fields: [FieldSpec("enterprise_id", "企业", .text(maxLength: 100), required: true, "id")])
        let chunks = try CSVRecordReader(path: folder + "/score.csv", schema: schema).readAll()
        // A little giant holds all three tiers, neither renewal is due, it has no confirmed
        // receivables and is not in 泰安: every other offer has a line.
        #expect(chunks.reduce(0) { $0 + $1.rowCount } == shippedCatalogOfferCount - 7)
        let statusColumn = try #require(chunks[0].extraNames.firstIndex(of: "status"))
        let statuses = chunks[0].extra(statusColumn).values.compactMap { $0 }
        #expect(statuses == report.results[0].offers.map { $0.status.code })
        let table = report.table()
        #expect(table.contains("专精特新贷 (srdi_loan)") && table.contains("加分"))
    }

    @Test("score reads standard-input style names and refuses an empty applicant file with its name")
    func scoreErrors() throws {
        let folder = try Self.folder()
        let empty = folder + "/empty.json"
        try "[]".write(toFile: empty, atomically: true, encoding: .utf8)
        let command = try Score.parse([empty, "--model", Self.model])
        do {
            try command.run()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(empty) && "\(error)".contains("no applicant"))
        }
        let missing = try Score.parse([folder + "/nope.json", "--model", Self.model])
        let text = failureMessage(Score.self) { try missing.run() }
        #expect(text?.hasPrefix(folder + "/nope.json: cannot read the file") == true && text?.hasSuffix("; check the path") == true, "\(text ?? "no error")")
    }

    @Test("score --format csv and rows stream a JSON applicant file on two workers (its chunks count as read)", arguments: ["csv", "rows"])
    func streamedJSON(format: String) throws {
        let folder = try Self.folder(), out = folder + "/out.csv"
        try Score.parse([Self.root + "/Datasets/applicants/little-giant.json", "--format", format, "--threads", "2", "--output", out,
                         "--model", Self.model]).run()
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        // The header and a line per offer: every offer (rows) or every offer listed for the firm (csv).
        let report = try Self.report("little-giant.json", language: .zh)
        #expect(lines.count == 1 + (format == "rows" ? shippedCatalogOfferCount : report.results[0].offers.count), "\(lines.count) lines")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("91370100MA3C5YQ12D,") })
    }

    static func rank(_ arguments: [String]) throws {
        let command = try Rank.parse(arguments + ["--model", model, "--quiet"])
        try command.run()
    }

    @Test("rank --product <policy>: the entitled firms by their worth, then id, as a full sort of score --format rows' benefit column finds them")
    func rankPolicyByBenefit() throws {
        let folder = try Self.folder()
        try Self.rank(["--input", Self.pool, "--product", "lukedai_subsidy", "--product", "listing_reward", "--top", "40", "--output", folder + "/policies.csv"])
        try Score.parse([Self.pool, "--model", Self.model, "--format", "rows", "--output", folder + "/rows.csv"]).run()
        // RFC 4180 fields of one line (the outputs quote a field with a comma or a quote; none spans lines).
        func split(_ line: String) -> [String] {
            var fields: [String] = [], field = "", quoted = false, previous: Character = " "
            for c in line {
                if c == "\"" {
                    if quoted, previous == "\"" { field.append("\"") }
                    quoted.toggle()
                } else if c == ",", !quoted {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(c)
                }
                previous = c
            }
            return fields + [field]
        }
        func table(_ path: String) throws -> [[String: String]] {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            let header = split(lines[0])
            return lines.dropFirst().map { line in Dictionary(zip(header, split(line)), uniquingKeysWith: { a, _ in a }) }
        }
        let ranked = try table(folder + "/policies.csv"), rows = try table(folder + "/rows.csv")
        for policy in ["lukedai_subsidy", "listing_reward"] {
            // The reference: every entitled firm's benefit from the per-row output, sorted by worth (none last), then id.
            let entitled = rows.filter { $0["offer_id"] == policy && $0["status"] == "pass" }
            let reference = entitled.sorted { a, b in
                let x = Double(a["benefit"] ?? "") ?? -1, y = Double(b["benefit"] ?? "") ?? -1
                return x != y ? x > y : a["enterprise_id"]! < b["enterprise_id"]!
            }.prefix(40)
            let listed = ranked.filter { $0["offer_id"] == policy && $0["group"] == "eligible" }
            #expect(entitled.count > 40 && listed.count == 40, "\(policy): \(entitled.count) entitled")
            #expect(listed.map { $0["enterprise_id"]! } == reference.map { $0["enterprise_id"]! }, "\(policy)")
            #expect(zip(listed, reference).allSatisfy { Double($0["benefit"] ?? "") == Double($1["benefit"] ?? "") })
            #expect(listed.allSatisfy { $0["probability"] == "" && $0["points"] == "" }, "a policy has no probability")
        }
    }

    @Test("rank: outputs identical for any thread count and chunk size, and they parse back")
    func rankDeterministic() throws {
        let folder = try Self.folder()
        try Self.rank(["--input", Self.pool, "--top", "20", "--output", folder + "/a.csv", "--best", folder + "/a-best.csv", "--threads", "1"])
        try Self.rank(["--input", Self.pool, "--top", "20", "--output", folder + "/b.csv", "--best", folder + "/b-best.csv", "--threads", "2", "--chunk-rows", "777"])
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/a.csv")), b = try Data(contentsOf: URL(fileURLWithPath: folder + "/b.csv"))
        #expect(a == b)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/a-best.csv")) == Data(contentsOf: URL(fileURLWithPath: folder + "/b-best.csv")))
        let lines = String(decoding: a, as: UTF8.self).split(separator: "\n")
        // 15 modelled offers × up to 20 eligible and 20 undecided, plus the header.
        #expect(lines.count > 100 && lines.count <= 1 + 15 * 40)
        let best = String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder + "/a-best.csv")), as: UTF8.self).split(separator: "\n")
        #expect(best.count == 20_001)

        try Self.rank(["--input", Self.pool, "--top", "20", "--output", folder + "/c.json", "--product", "bse", "star"])
        guard case .object(let root) = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/c.json")))),
              case .array(let offers)? = root["offers"], case .object(let bse)? = offers.first, case .array(let eligible)? = bse["eligible"] else {
            Issue.record("unexpected JSON")
            return
        }
        #expect(offers.count == 2 && bse["id"] == .string("bse") && bse["name_zh"] == .string("北交所"))
        #expect(!eligible.isEmpty && eligible.count <= 20)
        // Listed by probability, highest first.
        let probabilities = eligible.compactMap { item -> Double? in
            guard case .object(let e) = item, case .number(let p)? = e["probability"] else { return nil }
            return p
        }
        #expect(probabilities.count == eligible.count && probabilities == probabilities.sorted(by: >))
        // The same entries as the CSV's 北交所 eligible rows.
        let csvBSE = lines.filter { $0.hasPrefix("bse,") && $0.contains(",eligible,") }.map { $0.split(separator: ",")[6] }
        let jsonBSE = eligible.compactMap { item -> Substring? in
            guard case .object(let e) = item, case .string(let id)? = e["enterprise_id"] else { return nil }
            return Substring(id)
        }
        #expect(csvBSE == jsonBSE)
    }

    @Test("rank --best as JSON Lines holds the same rows as the CSV form")
    func bestAsJSONLines() throws {
        let folder = try Self.folder()
        try Self.rank(["--input", Self.pool, "--top", "5", "--output", folder + "/a.csv", "--best", folder + "/best.csv"])
        try Self.rank(["--input", Self.pool, "--top", "5", "--output", folder + "/b.csv", "--best", folder + "/best.jsonl"])
        let csv = try String(contentsOfFile: folder + "/best.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        let json = try String(contentsOfFile: folder + "/best.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 20_000 && json.count == 20_000)
        for (c, j) in zip(csv, json).prefix(2_000) {
            guard case .object(let o) = try JSONValue.parse(Array(j.utf8)), case .string(let id)? = o["enterprise_id"] else {
                Issue.record("bad line \(j)")
                continue
            }
            let fields = c.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(id == fields[0])
            #expect(o["best_loan_id"] == (fields[3].isEmpty ? .null : .string(fields[3])))
            #expect(o["best_listing_id"] == (fields[8].isEmpty ? .null : .string(fields[8])))
            if case .number(let p)? = o["best_loan_probability"] { #expect(Double(fields[6]) == p) } else { #expect(fields[6].isEmpty) }
            if case .number(let p)? = o["best_listing_probability"] { #expect(Double(fields[11]) == p) } else { #expect(fields[11].isEmpty) }
        }
        let text = failureMessage(Rank.self) { _ = try Rank.parse(["--input", Self.pool, "--output", folder + "/c.csv", "--best", folder + "/best.json"]) }
        #expect(text?.hasPrefix("--best writes CSV, or JSON Lines (one object per line) when the name ends in .jsonl") == true, "\(text ?? "no error")")
    }

    @Test("rank refuses to overwrite without --force, and a failing input leaves no output file")
    func rankSafety() throws {
        let folder = try Self.folder()
        let out = folder + "/out.csv"
        try "keep me".write(toFile: out, atomically: true, encoding: .utf8)
        let exists = failureMessage(Rank.self) { try Self.rank(["--input", Self.pool, "--output", out]) }
        #expect(exists == "\(out) exists; pass --force to replace it.", "\(exists ?? "no error")")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me")

        // A bad row in the middle: the run fails with the line, and neither output exists.
        var text = try String(contentsOfFile: Self.pool, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).prefix(3_001).map(String.init)
        text[2_000] = text[2_000].replacingOccurrences(of: ",2025,", with: ",20x5,")
        try text.joined(separator: "\n").write(toFile: folder + "/bad.csv", atomically: true, encoding: .utf8)
        do {
            try Self.rank(["--input", folder + "/bad.csv", "--output", folder + "/bad-out.csv", "--best", folder + "/bad-best.csv", "--chunk-rows", "500"])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("bad.csv:2001:5 (fiscal_year)"), "\(error)")
        }
        #expect(contentsOfFolder(folder) == ["bad.csv", "out.csv"])

        // An output that is a folder, or in a folder that is not there, is refused before the pool
        // is read: the bad pool's line never shows, and nothing is written.
        for target in [folder, folder + "/nosuch/out.csv"] {
            do {
                try Self.rank(["--input", folder + "/bad.csv", "--output", target, "--force"])
                Issue.record("expected an error for \(target)")
            } catch {
                #expect("\(error)".hasPrefix("\(target): cannot write the output there: ") && !"\(error)".contains("bad.csv"), "\(error)")
            }
        }
        #expect(contentsOfFolder(folder) == ["bad.csv", "out.csv"])

        let unknown = failureMessage(Rank.self) { try Self.rank(["--input", Self.pool, "--output", folder + "/x.csv", "--product", "nosuch"]) }
        #expect(unknown?.hasPrefix("--product nosuch: no such offer; the catalog has 专精特新贷 (srdi_loan), ") == true, "\(unknown ?? "no error")")
    }
}

func contentsOfFolder(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}
