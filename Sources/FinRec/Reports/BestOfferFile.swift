import Foundation

/// Streams "best offer per enterprise" rows to a temporary file that replaces the target only on
/// commit (`finrec rank --best`).
public final class BestOfferFile {
    public static let header = "enterprise_id,name,line,best_offer_id,best_offer_name_zh,status,probability,points,eligible_offers,unknown_offers\n"
    let writer: AtomicFileWriter
    /// JSON Lines for a `.jsonl` name, CSV otherwise.
    public let jsonLines: Bool

    public init(path: String) throws {
        writer = try AtomicFileWriter(path: path)
        jsonLines = path.lowercased().hasSuffix(".jsonl")
        if !jsonLines { try writer.write(Self.header) }
    }

    public func write(_ bytes: [UInt8]) throws { try writer.write(bytes) }
    public func commit() throws { try writer.commit() }
    public func discard() { writer.discard() }
}

/// Formats best-offer rows as CSV lines or JSON Lines (on any thread).
public struct BestOfferLines: Sendable {
    public let catalog: Catalog
    public let scaling: ScoreScaling
    public let jsonLines: Bool

    public init(catalog: Catalog, scaling: ScoreScaling, jsonLines: Bool) {
        self.catalog = catalog
        self.scaling = scaling
        self.jsonLines = jsonLines
    }

    public func lines(_ rows: [BestOffer]) -> [UInt8] {
        guard !jsonLines else { return json(rows) }
        var text = ""
        text.reserveCapacity(rows.count * 120)
        for b in rows {
            let offer = b.offer.map { catalog.offers[$0] }
            text += CSVField.escape(b.enterpriseID) + "," + CSVField.escape(b.name ?? "") + "," + String(b.line) + ","
            text += (offer?.id ?? "") + "," + (offer?.chineseName ?? "") + "," + (offer == nil ? "none" : b.status.code) + ","
            if let logit = b.logit { text += "\(Sigmoid.probability(logit)),\(scaling.points(logit: logit))," } else { text += ",," }
            text += String(b.eligibleOffers) + "," + String(b.unknownOffers) + "\n"
        }
        return Array(text.utf8)
    }

    /// One object per line, with the same fields as the CSV.
    public func json(_ rows: [BestOffer]) -> [UInt8] {
        var text = ""
        for b in rows {
            let offer = b.offer.map { catalog.offers[$0] }
            let object = JSONObject([
                ("enterprise_id", .string(b.enterpriseID)), ("name", b.name.map(JSONValue.string) ?? .null), ("line", .number(Double(b.line))),
                ("best_offer_id", offer.map { .string($0.id) } ?? .null), ("best_offer_name_zh", offer.map { .string($0.chineseName) } ?? .null),
                ("status", .string(offer == nil ? "none" : b.status.code)),
                ("probability", b.logit.map { .number(Sigmoid.probability($0)) } ?? .null),
                ("points", b.logit.map { .number(scaling.points(logit: $0)) } ?? .null),
                ("eligible_offers", .number(Double(b.eligibleOffers))), ("unknown_offers", .number(Double(b.unknownOffers))),
            ])
            text += JSONValue.object(object).compact() + "\n"
        }
        return Array(text.utf8)
    }
}
