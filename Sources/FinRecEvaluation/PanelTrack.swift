package import FinRecBase
package import FinRecRecords
import FinRecLinear
package import FinRecFeatures
package import FinRecCatalog
package import FinRecModel
package import FinRecInference

/// A panel of yearly snapshots followed from one year to the next (`finrec track`): what changed
/// (tiers, quotations, listings, investments, exits, entries), how last year's probabilities did
/// against what happened (the backtest), and whose probabilities moved most and why.
///
/// Rows are (firm, fiscal year) snapshots: the same `enterprise_id` once per `fiscal_year`; each
/// row's `label_<id>` columns are the outcomes of the year after it. Every year is assessed on its
/// own date (30 June after the fiscal year), as the world model and `finrec score` judge it.
package struct PanelTrack: Sendable {
    /// What one row keeps.
    package struct Snapshot: Sendable {
        package let id: String
        package let line: Int
        package let name: String?
        package let city: String?
        package let foundingYear: Int?
        package let tier: String?
        package let quoted: Bool
        package let listedBoard: String?
        package let regionalBoard: Bool
        /// Per modelled offer (``PanelTrack/offers``): the status, the model's probability, the
        /// label (nil: did not apply) and the reasons that raise the score most (their labels).
        package let statuses: [Truth]
        package let probabilities: [Double]
        package let labels: [Double?]
        /// Filled for the movers' rows only (``addReasons(_:chunk:scorer:keys:reasonCount:language:)``).
        package var reasons: [[String]]
    }

    /// A flagged inconsistency: kept, but said.
    package struct Flag: Sendable, Equatable {
        package let id: String
        package let line: Int
        package let message: String
    }

    /// Why a history is refused.
    package enum HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
        case yearTwice(path: String, id: String, year: Int, firstLine: Int, line: Int)
        case oneYear(path: String, year: Int?)
        case noYear(path: String, line: Int, id: String)

        /// The same, as the readers' errors are: file, line, field, message.
        package var inputFileError: InputFileError {
            switch self {
            case .yearTwice(let path, let id, let year, let first, let line):
                InputFileError(path: path, line: line, field: "enterprise_id, fiscal_year",
                               message: "\(id) has fiscal year \(year) on line \(first) too; a panel holds one snapshot per firm and year — remove one of the two lines")
            case .oneYear(let path, let year):
                InputFileError(path: path, message: "holds only fiscal year \(year.map(String.init) ?? "(none)"); tracking needs two years or more (finrec synth --years 2022-2025 writes a panel)")
            case .noYear(let path, let line, let id):
                InputFileError(path: path, line: line, field: "fiscal_year", message: "\(id) has no fiscal year; every row of a panel needs one")
            }
        }

        package var description: String {
            switch self {
            case .yearTwice(let path, let id, let year, let first, let line):
                "\(path):\(line) (enterprise_id, fiscal_year): \(id) has fiscal year \(year) on line \(first) too; a panel holds one snapshot per firm and year — remove one of the two lines"
            case .oneYear(let path, let year):
                "\(path): holds only fiscal year \(year.map(String.init) ?? "(none)"); tracking needs two years or more (finrec synth --years 2022-2025 writes a panel)"
            case .noYear(let path, let line, let id):
                "\(path):\(line) (fiscal_year): \(id) has no fiscal year; every row of a panel needs one"
            }
        }
    }

    /// Catalog indices of the offers the model scores, in catalog order.
    package let offers: [Int]
    /// Per fiscal year, the snapshots by enterprise id.
    package private(set) var years: [Int: [String: Snapshot]] = [:]
    package private(set) var flags: [Flag] = []
    package private(set) var rows = 0

    package init(offers: [Int]) { self.offers = offers }

    /// The fiscal years of a chunk's rows (nil where missing).
    package static func fiscalYears(_ chunk: RecordChunk) -> [Int?] {
        (0..<chunk.rowCount).map { r in
            if case .number(let y) = chunk.value("fiscal_year", row: r) { return Int(y) }
            return nil
        }
    }

    /// Adds a chunk, each row taken from `scored[its fiscal year]` (the chunk scored on that year's date).
    /// No reason codes are kept, so the first pass over a panel is the scoring alone;
    /// ``addReasons(_:chunk:scorer:keys:reasonCount:language:)`` fills the movers' in a second pass.
    package mutating func add(_ scored: [Int: ScoredChunk], chunk: RecordChunk, catalog: Catalog, path: String) throws(HistoryError) {
        let yearOf = Self.fiscalYears(chunk)
        let ids = chunk.ids, names = chunk.names  // each builds an array: once per chunk
        let labelColumns = offers.map { chunk.extraNames.firstIndex(of: "label_" + catalog.offers[$0].id) }
        let labelCells = labelColumns.map { $0.map { chunk.extra($0) } }
        for r in 0..<chunk.rowCount {
            rows += 1
            guard let year = yearOf[r], let scored = scored[year] else { throw .noYear(path: path, line: chunk.lines[r], id: ids[r]) }
            let id = ids[r]
            if let earlier = years[year]?[id] {
                throw .yearTwice(path: path, id: id, year: year, firstLine: earlier.line, line: chunk.lines[r])
            }
            var founding: Int?
            if case .number(let f) = chunk.value("founding_year", row: r) { founding = Int(f) }
            let labels: [Double?] = labelCells.map { cells in
                guard let cells, let text = cells[r], let value = Double(text) else { return nil }
                return value
            }
            let snapshot = Snapshot(
                id: id, line: chunk.lines[r], name: names[r], city: PoolRanker.text(chunk, "city", r), foundingYear: founding,
                tier: PoolRanker.category(chunk, "certification_tier", r),
                quoted: (PoolRanker.category(chunk, "neeq_status", r) ?? "not_quoted") != "not_quoted",
                listedBoard: PoolRanker.category(chunk, "listed_board", r).flatMap { $0 == "none" ? nil : $0 },
                regionalBoard: { if case .number(let v) = chunk.value("regional_srdi_board", row: r) { return v == 1 }; return false }(),
                statuses: offers.map { scored.status(offer: $0, row: r) },
                probabilities: offers.map { scored.logit(offer: $0, row: r).map(Sigmoid.probability) ?? 0 },
                labels: labels,
                reasons: offers.map { _ in [] })
            years[year, default: [:]][id] = snapshot
        }
    }

    /// Second pass: the reason codes of the rows `keys` names ("id|year"), from the same chunks scored
    /// again. Reason codes depend on the model, not the date, so any of its scorers gives them.
    package mutating func addReasons(_ scored: [Int: ScoredChunk], chunk: RecordChunk, scorer: OfferScorer, keys: Set<String>,
                                     reasonCount: Int = 3, language: Language = .zh) {
        let yearOf = Self.fiscalYears(chunk), ids = chunk.ids
        for r in 0..<chunk.rowCount {
            guard let year = yearOf[r], keys.contains("\(ids[r])|\(year)"), let scored = scored[year], years[year]?[ids[r]] != nil else { continue }
            years[year]![ids[r]]!.reasons = offers.map { k in
                scorer.reasonCodes(scored, offer: k, row: r).prefix(reasonCount).filter { $0.logit > 0 }.map { $0.label(language) }
            }
        }
    }

    /// The rows ("id|year") whose reasons the movers show.
    package func moverKeys(count: Int) -> Set<String> {
        var keys: Set<String> = []
        for pair in movers(count: count) {
            for m in pair.rises + pair.falls { keys.insert("\(m.id)|\(m.from)"); keys.insert("\(m.id)|\(m.to)") }
        }
        return keys
    }

    /// Checks the history once every row is in: refuses one year; flags a founding year, name
    /// or city that changes and a listed firm that is unlisted later.
    package mutating func finish(path: String) throws(HistoryError) {
        let sorted = years.keys.sorted()
        guard sorted.count >= 2 else { throw .oneYear(path: path, year: sorted.first) }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            for (id, now) in years[b]! {
                guard let before = years[a]![id] else { continue }
                if before.foundingYear != now.foundingYear {
                    flags.append(Flag(id: id, line: now.line, message: "founding_year \(before.foundingYear.map(String.init) ?? "-") in \(a), \(now.foundingYear.map(String.init) ?? "-") in \(b)"))
                }
                if before.name != now.name && !(before.name.map { now.name?.hasPrefix(String($0.dropLast(4))) ?? false } ?? false) {
                    flags.append(Flag(id: id, line: now.line, message: "name \(before.name ?? "-") in \(a), \(now.name ?? "-") in \(b)"))
                }
                if before.city != now.city {
                    flags.append(Flag(id: id, line: now.line, message: "city \(before.city ?? "-") in \(a), \(now.city ?? "-") in \(b)"))
                }
                if before.listedBoard != nil && now.listedBoard == nil {
                    flags.append(Flag(id: id, line: now.line, message: "listed (\(before.listedBoard!)) in \(a), not listed in \(b)"))
                }
            }
        }
        flags.sort { ($0.line, $0.id) < ($1.line, $1.id) }
    }

    package var fiscalYears: [Int] { years.keys.sorted() }

    // MARK: - Transitions

    package struct Transitions: Sendable, Equatable {
        package let from: Int
        package let to: Int
        package var firms = 0
        package var exits = 0
        package var entries = 0
        /// Upgrades by the tier reached, losses by the tier lost (tier codes).
        package var upgrades: [String: Int] = [:]
        package var losses: [String: Int] = [:]
        package var newQuotations = 0
        /// New exchange listings by board code.
        package var newListings: [String: Int] = [:]
        package var newRegionalBoard = 0
        /// Fund investments during the year (label 1 at `from`), by offer id.
        package var investments: [String: Int] = [:]
    }

    static let tierOrder = ["none", "innovative", "provincial_srdi", "little_giant"]

    package func transitions(catalog: Catalog) -> [Transitions] {
        let sorted = fiscalYears
        return zip(sorted, sorted.dropFirst()).map { a, b in
            var t = Transitions(from: a, to: b)
            let before = years[a]!, after = years[b]!
            t.firms = before.count
            t.exits = before.keys.filter { after[$0] == nil }.count
            t.entries = after.keys.filter { before[$0] == nil }.count
            for (id, old) in before {
                for (i, k) in offers.enumerated() where catalog.offers[k].kind.id == "equity" && old.labels[i] == 1 {
                    t.investments[catalog.offers[k].id, default: 0] += 1
                }
                guard let new = after[id] else { continue }
                let was = Self.tierOrder.firstIndex(of: old.tier ?? "none") ?? 0, now = Self.tierOrder.firstIndex(of: new.tier ?? "none") ?? 0
                if now > was { t.upgrades[Self.tierOrder[now], default: 0] += 1 }
                if now < was { t.losses[Self.tierOrder[was], default: 0] += 1 }
                if !old.quoted && new.quoted { t.newQuotations += 1 }
                if old.listedBoard == nil, let board = new.listedBoard { t.newListings[board, default: 0] += 1 }
                if !old.regionalBoard && new.regionalBoard { t.newRegionalBoard += 1 }
            }
            return t
        }
    }

    // MARK: - Backtest

    /// One offer in one year: the year's probabilities against the outcomes of the year after.
    package struct Backtest: Sendable {
        package let year: Int
        /// Index into ``PanelTrack/offers``.
        package let offer: Int
        /// Labelled rows not ruled out by the offer's rules (as `finrec evaluate` counts them).
        package let applicants: Int
        /// Labelled rows the rules rule out (they never succeed in the world model).
        package let ruledOut: Int
        package let observed: Int
        package let metrics: BinaryMetrics?
        package let successes: PoissonBinomial
        package var interval: ClosedRange<Int> { successes.interval(0.9) }
        package var inside: Bool { interval.contains(observed) }
    }

    package func backtest() -> [Backtest] {
        var out: [Backtest] = []
        for year in fiscalYears {
            let snapshots = years[year]!.values.sorted { $0.line < $1.line }
            for i in offers.indices {
                var p: [Double] = [], y: [Double] = [], ruledOut = 0
                for s in snapshots {
                    guard let label = s.labels[i] else { continue }
                    if s.statuses[i] == .fail { ruledOut += 1; continue }
                    p.append(s.probabilities[i])
                    y.append(label)
                }
                guard !p.isEmpty else { continue }
                let positives = Int(y.reduce(0, +))
                let metrics = positives > 0 && positives < y.count ? BinaryMetrics(probabilities: p, labels: y) : nil
                out.append(Backtest(year: year, offer: i, applicants: p.count, ruledOut: ruledOut, observed: positives, metrics: metrics,
                                    successes: PoissonBinomial(p)))
            }
        }
        return out
    }

    // MARK: - Movers

    package struct Mover: Sendable {
        package let id: String
        package let name: String?
        package let from: Int
        package let to: Int
        package let offer: Int
        package let before: Double
        package let after: Double
        package let statusBefore: Truth
        package let statusAfter: Truth
        /// Reasons at `to` that were not among those at `from`, and the other way round.
        package let gained: [String]
        package let lost: [String]
        package var change: Double { after - before }
    }

    /// Per consecutive pair of years and offer: the `count` largest rises and the `count` largest
    /// falls of probability among firms in both years (ties by id).
    package func movers(count: Int) -> [(rises: [Mover], falls: [Mover])] {
        let sorted = fiscalYears
        var out: [(rises: [Mover], falls: [Mover])] = []
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let before = years[a]!, after = years[b]!
            for i in offers.indices {
                var all: [Mover] = []
                for (id, old) in before {
                    guard let new = after[id] else { continue }
                    all.append(Mover(id: id, name: new.name, from: a, to: b, offer: i, before: old.probabilities[i], after: new.probabilities[i],
                                     statusBefore: old.statuses[i], statusAfter: new.statuses[i],
                                     gained: new.reasons[i].filter { !old.reasons[i].contains($0) },
                                     lost: old.reasons[i].filter { !new.reasons[i].contains($0) }))
                }
                let rises = all.filter { $0.change > 0 }.sorted { $0.change != $1.change ? $0.change > $1.change : $0.id < $1.id }
                let falls = all.filter { $0.change < 0 }.sorted { $0.change != $1.change ? $0.change < $1.change : $0.id < $1.id }
                out.append((Array(rises.prefix(count)), Array(falls.prefix(count))))
            }
        }
        return out
    }
}
