package import FinRecBase
import FinRecRecords
import Dispatch

/// Writes synthetic enterprises as CSV: the observed enterprise fields (in ``EnterpriseSchema``
/// order, some hidden as real files hide them), one `label_<product>` column per offer (1 success,
/// 0 failure, empty when the firm did not apply), and with truth the `truth_<product>` success
/// probabilities of ``WorldModel``.
package struct SyntheticDataset: Sendable {
    package let generator: EnterpriseGenerator
    package let withTruth: Bool

    package init(generator: EnterpriseGenerator, withTruth: Bool) {
        self.generator = generator
        self.withTruth = withTruth
    }

    package var header: [String] {
        EnterpriseSchema.fields.map(\.name) + WorldModel.productIds.map { "label_\($0)" }
            + (withTruth ? WorldModel.productIds.map { "truth_\($0)" } : [])
    }

    /// P(a firm of this tier applies for product k): loans are common, boards rarer; the
    /// supply-chain offers are common among the firms they concern (the others never apply);
    /// for a fund, the rate of an eligible firm (funds screen their pipeline: an ineligible firm
    /// applies at ``ineligibleFundRate``). (Untiered candidates apply at the innovative SMEs' rates.)
    static let applyRates: [[Double]] = [
        // srdi, giant, patent, project, emergency, bse, star, neeq, chinext, regional, receivables, procurement, angel, venture, industry
        [0.25, 0.05, 0.35, 0.35, 0.30, 0.04, 0.05, 0.15, 0.05, 0.30, 0.55, 0.50, 0.90, 0.15, 0.15],  // innovative
        [0.60, 0.10, 0.45, 0.45, 0.30, 0.10, 0.10, 0.25, 0.08, 0.30, 0.60, 0.55, 0.50, 0.15, 0.20],  // provincial SRDI
        [0.55, 0.65, 0.55, 0.55, 0.25, 0.25, 0.30, 0.25, 0.15, 0.20, 0.60, 0.55, 0.25, 0.20, 0.25],  // little giant
    ]

    /// The offers whose apply rate is an eligible firm's (the three funds).
    static let fundProducts: Set<String> = ["angel_fund", "venture_fund", "industry_fund"]
    /// P(a firm a fund's rule rules out applies to it anyway).
    static let ineligibleFundRate = 0.002

    /// The CSV cells of enterprise `index`.
    package func row(_ index: Int) -> [String] { row(generator.firm(index), index: index).cells }

    /// The CSV cells of firm `f` (enterprise `index`) and, per modelled offer, its outcome: nil
    /// when it did not apply. `year` > 0 (a later year of a panel) draws the hidden cells and the
    /// applications from streams of that year; year 0 gives exactly what `row(_:)` gives.
    package func row(_ f: Firm, index: Int, year: Int = 0) -> (cells: [String], outcomes: [Bool?]) {
        let stream = UInt64(index) &+ (UInt64(year) << 40)
        var m = SplitMix64(seed: generator.seed ^ 0x5EED_0B5E_7FED, index: stream)
        func show(_ p: Double) -> Bool { !m.bernoulli(p) }
        func money(_ x: Double, hide p: Double = 0) -> String { show(p) ? Fixed.format(x, digits: 2) : "" }
        func ratio(_ x: Double, hide p: Double = 0) -> String { show(p) ? Fixed.format(x, digits: 4) : "" }
        func int(_ x: Int, hide p: Double = 0) -> String { show(p) ? String(x) : "" }
        func flag(_ b: Bool, hide p: Double = 0) -> String { show(p) ? (b ? "1" : "0") : "" }
        let young = f.age < 3  // no third year of accounts
        var cells: [String] = [
            f.id, f.name, f.city, f.industry, String(f.fiscalYear), String(f.foundingYear),
            EnterpriseSchema.companyForms[f.jointStock ? 1 : 0].code,
            EnterpriseSchema.tiers[f.tier.rawValue].code,
            f.certificateValidUntil.map { CivilDate(daysSinceEpoch: $0).iso } ?? "",
            flag(f.highTech),
            money(f.revenue[0]), money(f.revenue[1], hide: 0.01), young ? "" : money(f.revenue[2], hide: 0.05),
            money(f.mainRevenue[0], hide: 0.03), money(f.mainRevenue[1], hide: 0.08),
            money(f.netProfit[0]), money(f.netProfit[1], hide: 0.01), young ? "" : money(f.netProfit[2], hide: 0.05),
            money(f.rd[0]), money(f.rd[1], hide: 0.02), young ? "" : money(f.rd[2], hide: 0.05),
            money(f.cashFlow[0], hide: 0.03), money(f.cashFlow[1], hide: 0.06), young ? "" : money(f.cashFlow[2], hide: 0.08),
            money(f.totalAssets), money(f.totalLiabilities), money(f.netAssets),
            ratio(f.roe[0], hide: 0.08), ratio(f.roe[1], hide: 0.12),
            money(f.shareCapital, hide: 0.05),
            String(f.employees), int(f.rdStaff, hide: 0.04),
            String(f.inventionPatents), int(f.class1IP, hide: 0.03), int(f.class1SelfFiled, hide: 0.1), int(f.class2IP, hide: 0.05),
            int(f.pledgeablePatents, hide: 0.06), f.pledgeablePatents > 0 ? money(f.patentRemainingYears, hide: 0.1) : "",
            EnterpriseSchema.rdInstitutionLevels[f.rdInstitution].code,
            EnterpriseSchema.awardLevels[f.award].code,
            int(f.digitalLevel, hide: 0.15), flag(f.keyChain), flag(f.strategicEmerging, hide: 0.05),
            money(f.nicheYears, hide: 0.1), ratio(f.nicheShare, hide: 0.25),
            EnterpriseSchema.neeqStatuses[f.neeqStatus].code, String(f.neeqMonths),
            flag(f.regionalEquity), flag(f.regionalSRDIBoard), EnterpriseSchema.listedBoards[f.listedBoard].code, flag(f.reservePool),
            money(f.marketValue, hide: f.neeqStatus > 0 || f.reservePool ? 0.05 : 0.4),
            money(f.equityFinancing, hide: 0.05),
            int(f.overdue), flag(f.specialMention),
            money(f.maturingLoan), f.maturingLoan > 0 ? flag(f.renewalCommitment, hide: 0.05) : "",
            // Supply-chain, procurement and application fields: hidden by a stream of their own
            // (below), so the cells before and after are hidden as before they existed.
            "", "", "", "", "", "", "", "",
            flag(f.abnormal), flag(f.accident, hide: 0.02),
        ]
        let added = Self.supplyChainCells(f, index: year == 0 ? index : Int(truncatingIfNeeded: stream), seed: generator.seed)
        let first = EnterpriseSchema.fields.firstIndex { $0.name == "tech_sme_listed" }!
        cells.replaceSubrange(first..<(first + added.count), with: added)
        precondition(cells.count == EnterpriseSchema.fields.count, "synthetic row does not match the schema")
        var l = SplitMix64(seed: generator.seed ^ 0x1ABE_15, index: stream)
        let rates = Self.applyRates[max(0, f.tier.rawValue - 1)]
        var truths: [String] = []
        var outcomes: [Bool?] = []
        for k in WorldModel.productIds.indices {
            let p = WorldModel.successProbability(f, product: k)
            // Firms seek an exchange listing (北交所, 科创板, 创业板) mostly when they are near its
            // standards, since sponsors pre-screen: eligible firms apply four times as often.
            let isExchange = [5, 6, 8].contains(k)
            let isFund = Self.fundProducts.contains(WorldModel.productIds[k])
            let rate = isExchange && p > 0 ? min(0.9, 4 * rates[k]) : isFund && p == 0 ? Self.ineligibleFundRate : rates[k]
            let applied = l.bernoulli(rate) && WorldModel.applies(f, product: k)
            let outcome = l.bernoulli(p)
            cells.append(applied ? (outcome ? "1" : "0") : "")
            outcomes.append(applied ? outcome : nil)
            truths.append(Fixed.format(p, digits: 6))
        }
        if withTruth { cells += truths }
        return (cells, outcomes)
    }

    /// The cells of the eight fields from `tech_sme_listed` to `requested_term_months`, a few
    /// hidden as real files hide them: the flags and amounts 2–3%, the core enterprise's code and
    /// the contract's end date 3% of those that exist. The application's fields are empty unless
    /// the firm named them.
    static func supplyChainCells(_ f: Firm, index: Int, seed: UInt64) -> [String] {
        var h = SplitMix64(seed: seed ^ 0x41_DD_ED_CE_11, index: UInt64(index))
        func shown(_ text: String, hide p: Double) -> String { h.bernoulli(p) ? "" : text }
        func flag(_ b: Bool) -> String { b ? "1" : "0" }
        func money(_ x: Double) -> String { Fixed.format(x, digits: 2) }
        return [
            shown(flag(f.techSMEListed), hide: 0.03),
            shown(money(f.receivablesConfirmed), hide: 0.03),
            f.coreEnterpriseId.map { shown($0, hide: 0.03) } ?? "",
            shown(money(f.procurementAmount), hide: 0.02),
            f.procurementEnd.map { shown(CivilDate(daysSinceEpoch: $0).iso, hide: 0.03) } ?? "",
            shown(flag(f.techrenoProject), hide: 0.03),
            f.requestedAmount.map(money) ?? "",
            f.requestedTermMonths.map(String.init) ?? "",
        ]
    }

    /// Writes enterprises `0..<count` as CSV to `path` atomically, generating blocks in parallel
    /// and writing them in order, so the file is the same for any thread count.
    package func write(count: Int, to path: String, threads: ThreadPolicy = .allCores,
                      progress: ((Int) -> Void)? = nil) throws(FileWriteError) {
        let file = try AtomicFileWriter(path: path)
        try file.write(header.joined(separator: ",") + "\n")
        try Self.writeRows(count: count, to: file, block: 4096, threads: threads, progress: progress) { row($0) }
        try file.commit()
    }

    /// Appends the rows `cells(i)` gives for `i` in `0..<count` (none where it gives nil) to `file`:
    /// blocks of `block` rows are made in parallel and written in order, so the bytes are the same
    /// for any thread count. `progress` gets the number of indices done.
    static func writeRows(count: Int, to file: AtomicFileWriter, block: Int, threads: ThreadPolicy, progress: ((Int) -> Void)?,
                          cells: @escaping @Sendable (Int) -> [String]?) throws(FileWriteError) {
        let batch = block * max(1, threads.workers) * 4
        var start = 0
        while start < count {
            let end = min(count, start + batch)
            let parts = (end - start + block - 1) / block
            let texts = ParallelResults<String>(count: parts)
            let base = start
            threads.forEachRange(count: parts, alignment: 1) { range in
                for p in range {
                    var text = ""
                    for i in (base + p * block)..<min(end, base + (p + 1) * block) {
                        guard let row = cells(i) else { continue }
                        text += row.map(CSVField.escape).joined(separator: ",")
                        text += "\n"
                    }
                    texts.set(p, text)
                }
            }
            for text in texts.values { try file.write(text) }
            start = end
            progress?(end)
        }
    }
}
