import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
package import FinRecCatalog
package import FinRecModel
package import FinRecInference
import FinRecEvaluation
import FoundationEssentials

/// Streams "best offer per enterprise" rows to a temporary file that replaces the target only on
/// commit (`finrec rank --best`).
public final class BestOfferFile {
    /// The CSV header: per ``Catalog/bestColumns`` prefix (`best_loan`, `best_listing` …) its
    /// id, name_zh, status, probability and points columns.
    package static func header(_ catalog: Catalog) -> String {
        "enterprise_id,name,line,"
            + catalog.bestColumns.map { p in ["id", "name_zh", "status", "probability", "points"].map { "\(p)_\($0)," }.joined() }.joined()
            + "eligible_offers,unknown_offers\n"
    }
    let writer: AtomicFileWriter
    /// JSON Lines for a `.jsonl` name, CSV otherwise.
    package let jsonLines: Bool

    /// - Parameter excel: start the CSV with a UTF-8 byte-order mark (Excel then reads Chinese right).
    package init(path: String, catalog: Catalog, excel: Bool = false) throws {
        writer = try AtomicFileWriter(path: path)
        jsonLines = path.lowercased().hasSuffix(".jsonl")
        if !jsonLines { try writer.write((excel ? CSVField.byteOrderMark : "") + Self.header(catalog)) }
    }

    package func write(_ bytes: [UInt8]) throws { try writer.write(bytes) }
    public func commit() throws { try writer.commit() }
    public func discard() { writer.discard() }
}

/// Formats best-offer rows as CSV lines or JSON Lines (on any thread).
package struct BestOfferLines: Sendable {
    package let catalog: Catalog
    package let scaling: ScoreScaling
    package let jsonLines: Bool

    package init(catalog: Catalog, scaling: ScoreScaling, jsonLines: Bool) {
        self.catalog = catalog
        self.scaling = scaling
        self.jsonLines = jsonLines
    }

    package func lines(_ rows: [BestOffer]) -> [UInt8] {
        guard !jsonLines else { return json(rows) }
        var text = ""
        text.reserveCapacity(rows.count * 180)
        for b in rows {
            text += CSVField.escape(b.enterpriseID) + "," + CSVField.escape(b.name ?? "") + "," + String(b.line) + ","
            for choice in b.choices {
                let offer = choice.map { catalog.offers[$0.offer] }
                text += (offer?.id ?? "") + "," + (offer?.chineseName ?? "") + "," + (choice?.status.code ?? "none") + ","
                if let logit = choice?.logit { text += "\(Sigmoid.probability(logit)),\(scaling.points(logit: logit))," } else { text += ",," }
            }
            text += String(b.eligibleOffers) + "," + String(b.unknownOffers) + "\n"
        }
        return Array(text.utf8)
    }

    /// One object per line, with the same fields as the CSV.
    package func json(_ rows: [BestOffer]) -> [UInt8] {
        var text = ""
        for b in rows {
            var members: [(String, JSONValue)] = [
                ("enterprise_id", .string(b.enterpriseID)), ("name", b.name.map(JSONValue.string) ?? .null), ("line", .number(Double(b.line))),
            ]
            for (prefix, choice) in zip(catalog.bestColumns, b.choices) {
                let offer = choice.map { catalog.offers[$0.offer] }
                members += [
                    ("\(prefix)_id", offer.map { .string($0.id) } ?? .null), ("\(prefix)_name_zh", offer.map { .string($0.chineseName) } ?? .null),
                    ("\(prefix)_status", .string(choice?.status.code ?? "none")),
                    ("\(prefix)_probability", choice.map { .number(Sigmoid.probability($0.logit)) } ?? .null),
                    ("\(prefix)_points", choice.map { .number(scaling.points(logit: $0.logit)) } ?? .null),
                ]
            }
            members += [("eligible_offers", .number(Double(b.eligibleOffers))), ("unknown_offers", .number(Double(b.unknownOffers)))]
            text += JSONValue.object(JSONObject(members)).compact() + "\n"
        }
        return Array(text.utf8)
    }
}
