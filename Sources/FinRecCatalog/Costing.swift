import FinRecBase
package import FinRecRecords
package import FinRecFeatures

/// What each priced offer costs an enterprise, after the subsidies of the policies it is
/// entitled to, and what each policy is worth to it (`finrec score`'s cost, `finrec rank
/// --product <policy>`'s order).
///
/// A loan's cost basis is the requested amount and term (`requested_amount`,
/// `requested_term_months`), else the offer's typical ones; its rate the LPR in force on the
/// assessment date (or `--lpr`) of the term's tenor plus the offer's first spread whose `when`
/// holds. Only policies the enterprise is eligible for are applied (an undecided one is named, not
/// counted), and of the subsidies of one sort (interest, guarantee fee) one loan takes the largest.
package struct Costing: Sendable {
    package let catalog: Catalog
    package let asOf: Int
    /// The rates `--lpr` gives, in place of the table's.
    package private(set) var lprOverride: (oneYear: Double, fiveYear: Double)?
    /// Per offer, per spread of its price, the compiled `when` (nil for the default or no price).
    let spreadConditions: [[CompiledExpression?]]
    let amountField: Int?, termField: Int?, cityField: Int?
    /// Per offer, the field its typical amount is a share of (nil: a fixed typical amount).
    let amountOfFields: [Int?]
    let parameters: [String: Double]

    package init(catalog: Catalog, schema: RecordSchema, asOf: Int, lprOverride: (oneYear: Double, fiveYear: Double)? = nil) throws(ExpressionError) {
        self.catalog = catalog
        self.asOf = asOf
        self.lprOverride = lprOverride
        let environment = catalog.environment(schema: schema)
        var conditions: [[CompiledExpression?]] = []
        for offer in catalog.offers {
            var compiled: [CompiledExpression?] = []
            for spread in offer.price?.spreads ?? [] {
                if let when = spread.when { compiled.append(try CompiledExpression(when, in: environment, boolean: true)) } else { compiled.append(nil) }
            }
            conditions.append(compiled)
        }
        spreadConditions = conditions
        amountOfFields = catalog.offers.map { $0.price?.amountOf.flatMap { schema.index(of: $0.field) } }
        amountField = schema.index(of: "requested_amount")
        termField = schema.index(of: "requested_term_months")
        cityField = schema.index(of: "city")
        parameters = ["as_of_date": Double(asOf)]
    }

    /// The same costing on `--lpr`'s rates (nil: the table's).
    package func with(lpr override: (oneYear: Double, fiveYear: Double)?) -> Costing {
        var copy = self
        copy.lprOverride = override
        return copy
    }

    /// Whether any offer has a price or a benefit (otherwise there is nothing to cost).
    package var isEmpty: Bool { !catalog.offers.contains { $0.price != nil || $0.benefit != nil } }

    /// The LPR quote the costs use: `--lpr`'s, or the table's on the assessment date.
    package var lpr: Catalog.LPRQuote? {
        if let o = lprOverride { return Catalog.LPRQuote(effective: asOf, oneYear: o.oneYear, fiveYear: o.fiveYear, source: "--lpr", status: "OK-news") }
        return catalog.lpr(on: asOf)
    }

    /// Per offer and row, the spread its price takes (nil: no price), for the rows of `chunk`.
    package func spreads(_ chunk: RecordChunk) -> [[Int]?] {
        catalog.offers.enumerated().map { k, offer -> [Int]? in
            guard let price = offer.price else { return nil }
            var choice = [Int](repeating: price.spreads.count - 1, count: chunk.rowCount)
            var decided = [Bool](repeating: false, count: chunk.rowCount)
            for (s, condition) in spreadConditions[k].enumerated() {
                guard let condition, case .truths(let truths) = condition.evaluate(chunk, parameters: parameters) else { continue }
                for r in 0..<chunk.rowCount where !decided[r] && truths[r] == .pass {
                    choice[r] = s
                    decided[r] = true
                }
            }
            return choice
        }
    }

    /// The costs and benefits of row `r` of `chunk`.
    /// - Parameters:
    ///   - status: each catalog offer's status for the row.
    ///   - spreads: ``spreads(_:)`` of the chunk.
    package func assess(_ chunk: RecordChunk, row r: Int, spreads: [[Int]?], status: (Int) -> Truth) -> RowCosts {
        guard let lpr else { return RowCosts(costs: Array(repeating: nil, count: catalog.offers.count), benefits: Array(repeating: nil, count: catalog.offers.count)) }
        let basis = requested(chunk, row: r)
        var costs = [LoanCost?](repeating: nil, count: catalog.offers.count)
        let policies = catalog.offers.indices.filter { catalog.offers[$0].benefit != nil }
        for (k, offer) in catalog.offers.enumerated() {
            guard let price = offer.price, let choice = spreads[k]?[r], status(k) != .fail else { continue }
            costs[k] = cost(offer: k, price: price, spread: choice, lpr: lpr, basis: basis, typicalAmount: typicalAmount(k, chunk, row: r),
                            entitled: policies.filter { status($0) == .pass }, undecided: policies.filter { status($0) == .unknown })
        }
        var benefits = [PolicyBenefit?](repeating: nil, count: catalog.offers.count)
        for k in policies where status(k) != .fail {
            benefits[k] = benefit(policy: k, lpr: lpr, basis: basis, typicalAmounts: catalog.offers.indices.map { typicalAmount($0, chunk, row: r) },
                                  spreads: spreads, row: r, status: status, city: city(chunk, row: r))
        }
        return RowCosts(costs: costs, benefits: benefits)
    }

    /// Offer `k`'s typical amount for the row: its share of a field where the price says so and
    /// the field is above 0, else the price's amount.
    func typicalAmount(_ k: Int, _ chunk: RecordChunk, row r: Int) -> Double? {
        guard let f = amountOfFields[k], let share = catalog.offers[k].price?.amountOf?.share,
              case .number(let x) = chunk.value(field: f, row: r), x > 0 else { return nil }
        return share * x
    }

    /// What policy `k` is worth to row `r` of `chunk` (``assess(_:row:spreads:status:)``'s
    /// benefit alone, as `finrec rank --product <policy>` ranks by it); nil for an offer without
    /// a benefit or a catalog without an LPR table.
    package func benefit(policy k: Int, _ chunk: RecordChunk, row r: Int, spreads: [[Int]?], status: (Int) -> Truth) -> PolicyBenefit? {
        guard catalog.offers[k].benefit != nil, let lpr else { return nil }
        return benefit(policy: k, lpr: lpr, basis: requested(chunk, row: r), typicalAmounts: catalog.offers.indices.map { typicalAmount($0, chunk, row: r) },
                       spreads: spreads, row: r, status: status, city: city(chunk, row: r))
    }

    func requested(_ chunk: RecordChunk, row r: Int) -> (amount: Double?, months: Int?) {
        func number(_ i: Int?) -> Double? {
            guard let i, case .number(let x) = chunk.value(field: i, row: r) else { return nil }
            return x
        }
        return (number(amountField), number(termField).map { Int($0) })
    }

    func city(_ chunk: RecordChunk, row r: Int) -> String? {
        guard let cityField, case .text(let t) = chunk.value(field: cityField, row: r) else { return nil }
        return t
    }

    /// Offer `k`'s cost on the basis, before and after the subsidies of the `entitled` policies.
    func cost(offer k: Int, price: Catalog.Price, spread s: Int, lpr: Catalog.LPRQuote, basis: (amount: Double?, months: Int?),
              typicalAmount: Double?, entitled: [Int], undecided: [Int]) -> LoanCost {
        let amount = basis.amount ?? typicalAmount ?? price.amount
        var months = Double(basis.months ?? price.termMonths)
        var termNote: LoanCost.TermNote?
        if let days = price.termDays {
            months = Double(days) * 12 / 365
            termNote = .fixedDays(days)
        } else if let maximum = price.maximumTermMonths, let asked = basis.months, asked > maximum {
            months = Double(maximum)
            termNote = .capped(asked: asked, maximum: maximum)
        }
        let tenor = Catalog.LPRTenor.of(months: months)
        let spread = price.spreads[s]
        let base = price.floating ? lpr.rate(tenor) : 0
        let rate = base + spread.typical
        let interest = LoanArithmetic.interest(amount: amount, rate: rate, months: months)
        // The guarantee fee, where the amount needs a guarantee.
        let feeRate = price.guaranteeFee.flatMap { amount > (price.guaranteeAbove ?? 0) ? $0 : nil }
        let fee = feeRate.map { LoanArithmetic.interest(amount: amount, rate: $0, months: months) } ?? 0
        // Each entitled policy's subsidy on this loan, then the largest of each sort.
        var candidates: [(offer: Int, sort: String, amount: Double)] = []
        for p in entitled {
            guard let benefit = catalog.offers[p].benefit, benefit.loans.contains(catalog.offers[k].id),
                  let value = subsidy(benefit, amount: amount, months: months, rate: rate, guaranteeFee: feeRate, lpr: lpr),
                  let sort = benefit.sort else { continue }
            candidates.append((p, sort, value))
        }
        var applied: [LoanCost.Subsidy] = [], declined: [LoanCost.Declined] = []
        for sort in ["interest", "fee"] {
            let of = candidates.filter { $0.sort == sort }
            // The largest; on a tie the one declared first.
            guard let chosen = of.max(by: { $0.amount != $1.amount ? $0.amount < $1.amount : $0.offer > $1.offer }) else { continue }
            applied.append(LoanCost.Subsidy(offer: chosen.offer, amount: chosen.amount, sort: sort))
            for other in of where other.offer != chosen.offer {
                declined.append(LoanCost.Declined(offer: other.offer, amount: other.amount, instead: chosen.offer))
            }
        }
        let possible = undecided.filter { catalog.offers[$0].benefit.map { $0.loans.contains(catalog.offers[k].id) && $0.sort != nil } ?? false }
        let interestSubsidy = applied.filter { $0.sort == "interest" }.reduce(0) { $0 + $1.amount }
        let feeSubsidy = applied.filter { $0.sort == "fee" }.reduce(0) { $0 + $1.amount }
        let interestAfter = interest - interestSubsidy
        return LoanCost(amount: amount, months: months, basis: basis.amount == nil && basis.months == nil ? .typical : basis.amount == nil || basis.months == nil ? .partlyRequested : .requested,
                        termNote: termNote, floating: price.floating, tenor: tenor, lpr: price.floating ? lpr.rate(tenor) : nil, lprEffective: lpr.effective,
                        lprOverridden: lprOverride != nil, spread: s, rate: rate, rateLow: base + spread.low, rateHigh: base + spread.high,
                        interestBeforeSubsidy: interest, subsidies: applied, declined: declined, possible: possible,
                        interest: interestAfter, effectiveRate: months > 0 && amount > 0 ? interestAfter / (amount * months / 12) : rate,
                        guaranteeFee: fee, feeSubsidy: feeSubsidy, assumption: price.assumptionChinese != nil)
    }

    /// What `benefit` pays on a loan of `amount` over `months` at `rate`; nil for a benefit
    /// that pays nothing on a loan (a grant, a cover) or a fee subsidy on a loan without a fee.
    /// A loan below the benefit's smallest amount gets nothing (nil); a term beyond its period is
    /// subsidised for the period.
    func subsidy(_ benefit: Catalog.Benefit, amount: Double, months: Double, rate: Double, guaranteeFee: Double?, lpr: Catalog.LPRQuote) -> Double? {
        if let minimum = benefit.minimumAmount, amount < minimum { return nil }
        let months = min(months, benefit.periodMonths.map(Double.init) ?? months)
        switch benefit.form {
        case .interestSubsidy(let share, let capSpread, let maximumRate, let ofLPR):
            // A share of the one-year LPR is never more than the rate the loan pays.
            return LoanArithmetic.interestSubsidy(amount: amount, rate: ofLPR ? min(rate, lpr.oneYear) : rate, months: months, share: share,
                                                  rateCap: capSpread.map { lpr.oneYear + $0 }, maximumRate: maximumRate,
                                                  cap: benefit.cap, capPerYear: benefit.capPerYear)
        case .feeSubsidy(let share):
            guard let guaranteeFee else { return nil }
            return LoanArithmetic.feeSubsidy(amount: amount, feeRate: guaranteeFee, months: months, rate: share, cap: benefit.cap, capPerYear: benefit.capPerYear)
        case .grant, .cover:
            return nil
        }
    }

    /// What policy `k` is worth to the enterprise: the most it pays on one of its loans the
    /// enterprise is eligible for (on that loan's cost basis), on its own loan's typical basis,
    /// or from the city table; nil with a reason when that cannot be said.
    func benefit(policy k: Int, lpr: Catalog.LPRQuote, basis: (amount: Double?, months: Int?), typicalAmounts: [Double?], spreads: [[Int]?], row r: Int,
                 status: (Int) -> Truth, city: String?) -> PolicyBenefit {
        let benefit = catalog.offers[k].benefit!
        switch benefit.form {
        case .cover:
            return PolicyBenefit(amount: nil, loan: nil, reason: .cover)
        case .grant(let table):
            guard let city, let row = catalog.cityAmount(table, city: city) else { return PolicyBenefit(amount: nil, loan: nil, reason: .noCityAmount(city: city)) }
            return PolicyBenefit(amount: row.amount, loan: nil, reason: nil, cityAmount: row)
        case .interestSubsidy, .feeSubsidy:
            var best: (amount: Double, loan: Int)?
            var belowMinimum = false
            for id in benefit.loans {
                guard let l = catalog.offers.firstIndex(where: { $0.id == id }), status(l) == .pass,
                      let price = catalog.offers[l].price, let s = spreads[l]?[r] else { continue }
                let cost = cost(offer: l, price: price, spread: s, lpr: lpr, basis: basis, typicalAmount: typicalAmounts[l], entitled: [], undecided: [])
                if let minimum = benefit.minimumAmount, cost.amount < minimum { belowMinimum = true }
                guard let value = subsidy(benefit, amount: cost.amount, months: cost.months, rate: cost.rate,
                                          guaranteeFee: cost.guaranteeFee > 0 ? price.guaranteeFee : nil, lpr: lpr) else { continue }
                if value > (best?.amount ?? -1) { best = (value, l) }
            }
            if let best { return PolicyBenefit(amount: best.amount, loan: best.loan, reason: nil) }
            if let own = benefit.ownLoan {
                // Its amount and term are the most it lends and the longest it runs: a larger request is costed at them.
                let months = Double(min(basis.months ?? own.termMonths, own.termMonths)), amount = min(basis.amount ?? own.amount, own.amount)
                let rate = lpr.rate(.of(months: months)) + own.spread
                let value = subsidy(benefit, amount: amount, months: months, rate: rate, guaranteeFee: nil, lpr: lpr)
                return PolicyBenefit(amount: value, loan: nil, reason: nil, ownLoanBasis: (amount, months, rate))
            }
            if belowMinimum, let minimum = benefit.minimumAmount { return PolicyBenefit(amount: nil, loan: nil, reason: .belowMinimum(minimum)) }
            return PolicyBenefit(amount: nil, loan: nil, reason: .noEligibleLoan(loans: benefit.loans.compactMap { id in catalog.offers.firstIndex { $0.id == id } }))
        }
    }
}

/// The costs (per catalog offer: a priced offer that is open or undecided) and benefits (per
/// policy offer that is not ruled out) of one enterprise.
package struct RowCosts: Sendable {
    package let costs: [LoanCost?]
    package let benefits: [PolicyBenefit?]
}

/// What one loan costs one enterprise over its term, in 万元, rates as annual fractions.
package struct LoanCost: Sendable, Equatable {
    package enum Basis: String, Sendable { case requested, partlyRequested = "partly_requested", typical }
    package enum TermNote: Sendable, Equatable {
        /// A bridge loan's fixed term in days, whatever was asked.
        case fixedDays(Int)
        /// A request longer than the product's longest term, costed at that term.
        case capped(asked: Int, maximum: Int)
    }
    package struct Subsidy: Sendable, Equatable {
        /// The policy's catalog offer index.
        package let offer: Int
        package let amount: Double
        /// `interest` or `fee`.
        package let sort: String
    }
    /// A subsidy the enterprise is entitled to but that does not stack: `instead` was chosen.
    package struct Declined: Sendable, Equatable {
        package let offer: Int
        package let amount: Double
        package let instead: Int
    }

    package let amount: Double
    package let months: Double
    package let basis: Basis
    package let termNote: TermNote?
    /// LPR + spread, or a fixed rate (`lpr` nil).
    package let floating: Bool
    package let tenor: Catalog.LPRTenor
    package let lpr: Double?
    /// The LPR row's effective date (days since 1970-01-01) and whether `--lpr` replaced it.
    package let lprEffective: Int
    package let lprOverridden: Bool
    /// The spread of the offer's price that applied (index).
    package let spread: Int
    package let rate: Double
    package let rateLow: Double
    package let rateHigh: Double
    package let interestBeforeSubsidy: Double
    package let subsidies: [Subsidy]
    package let declined: [Declined]
    /// Policies on this loan the enterprise may be entitled to (undecided), not counted.
    package let possible: [Int]
    /// Interest over the term after the interest subsidy.
    package let interest: Double
    /// The annual rate the enterprise pays after the interest subsidy.
    package let effectiveRate: Double
    /// The guarantee fee over the term (0 without one) and its subsidy.
    package let guaranteeFee: Double
    package let feeSubsidy: Double
    /// The price is not published for the product: an assumption with its basis.
    package let assumption: Bool

    /// Interest and guarantee fee after subsidies.
    package var total: Double { interest + guaranteeFee - feeSubsidy }
    /// What the loan costs a year per unit borrowed, fees included: how `--sort cost` compares
    /// loans of different amounts and terms.
    package var allInRate: Double { amount > 0 && months > 0 ? total / (amount * months / 12) : rate }
}

/// What a policy is worth to one enterprise.
package struct PolicyBenefit: Sendable {
    package enum Reason: Sendable, Equatable {
        /// It pays on these loans (catalog offer indices), none of which the enterprise is eligible for yet.
        case noEligibleLoan(loans: [Int])
        /// The city table has no amount for the enterprise's city (nil: the city is missing).
        case noCityAmount(city: String?)
        /// It shares the bank's losses: nothing is paid to the enterprise.
        case cover
        /// The loans it would pay on are smaller than its smallest amount (万元).
        case belowMinimum(Double)
    }

    /// 万元, nil with `reason`.
    package let amount: Double?
    /// The catalog loan the amount is paid on.
    package let loan: Int?
    package let reason: Reason?
    /// The city table row the amount comes from.
    package var cityAmount: Catalog.CityAmount?
    /// For a policy on a loan outside the catalog: the amount, term and rate the benefit assumes.
    package var ownLoanBasis: (amount: Double, months: Double, rate: Double)?

    package init(amount: Double?, loan: Int?, reason: Reason?, cityAmount: Catalog.CityAmount? = nil,
                 ownLoanBasis: (amount: Double, months: Double, rate: Double)? = nil) {
        self.amount = amount
        self.loan = loan
        self.reason = reason
        self.cityAmount = cityAmount
        self.ownLoanBasis = ownLoanBasis
    }
}
