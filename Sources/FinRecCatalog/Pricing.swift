package import FinRecBase
import FinRecRecords
package import FinRecFeatures

// What a loan costs and what a policy gives, as catalog data: the dated LPR table, each loan's
// price (LPR + a spread, a guarantee fee, a typical amount and term), each policy's benefit (an
// interest or guarantee-fee subsidy on named loans, a grant from a city table, a cover of the
// bank's losses) and the rule that one loan takes one subsidy of each sort.

extension Catalog {
    /// The loan prime rate's two tenors (贷款市场报价利率): loans up to five years price off the
    /// one-year rate, longer ones off the five-year rate.
    package enum LPRTenor: String, Sendable {
        case oneYear = "one_year", fiveYear = "five_year"

        /// The tenor a loan of `months` prices off.
        package static func of(months: Double) -> LPRTenor { months > 60 ? .fiveYear : .oneYear }

        package func name(_ language: Language) -> String {
            switch self {
            case .oneYear: language == .zh ? "1年期LPR" : "1-year LPR"
            case .fiveYear: language == .zh ? "5年期以上LPR" : "5-year LPR"
            }
        }
    }

    /// One row of the LPR table: the rates in force from `effective` (days since 1970-01-01) on.
    package struct LPRQuote: Sendable, Equatable {
        package let effective: Int
        package let oneYear: Double
        package let fiveYear: Double
        package let source: String
        package let status: String

        package init(effective: Int, oneYear: Double, fiveYear: Double, source: String, status: String) {
            self.effective = effective
            self.oneYear = oneYear
            self.fiveYear = fiveYear
            self.source = source
            self.status = status
        }

        package func rate(_ tenor: LPRTenor) -> Double { tenor == .oneYear ? oneYear : fiveYear }
    }

    /// A loan's price. The annual rate is the LPR of the term's tenor plus the first spread whose
    /// `when` holds (a spread without `when` closes the list); `typical` is what the cost uses,
    /// `low`–`high` the range published for it. A price with `assumption` is not published for
    /// the product: the text gives its basis.
    package struct Price: Sendable {
        package struct Spread: Sendable {
            /// Nil: the default. A `when` that is undecided (a missing field) does not apply.
            package let when: ParsedExpression?
            package let chinese: String?
            package let english: String?
            package let low: Double
            package let typical: Double
            package let high: Double
        }

        /// Whether the rate is LPR + spread (`"base": "lpr"`) or the spread alone (`"fixed"`: a
        /// fee-priced bridge loan).
        package let floating: Bool
        package let spreads: [Spread]
        /// Annual guarantee fee as a fraction of the amount, when the product needs a guarantor.
        package let guaranteeFee: Double?
        /// The amount (万元) above which the guarantee (and its fee) is needed; nil: always.
        package let guaranteeAbove: Double?
        /// The typical amount (万元) and term, the cost basis when the applicant names none.
        package let amount: Double
        /// A typical amount that is a share of a field (80% of the confirmed receivables), used
        /// instead of `amount` when the field is above 0.
        package let amountOf: (field: String, share: Double)?
        package let termMonths: Int
        /// A fixed term in days (a bridge loan used for a week): the basis whatever is asked.
        package let termDays: Int?
        /// The longest term the product offers; a longer request is costed at it, said so.
        package let maximumTermMonths: Int?
        package let assumptionChinese: String?
        package let assumptionEnglish: String?
        package let source: String
        package let status: String
    }

    /// What a policy gives.
    package struct Benefit: Sendable {
        package enum Form: Sendable, Equatable {
            /// `share` of the loan's annual rate (of its part up to the one-year LPR +
            /// `rateCapSpread`), at most `maximumRate` (percentage points as a fraction); with
            /// `ofLPR`, `share` of the one-year LPR instead (never more than the rate paid).
            case interestSubsidy(share: Double, rateCapSpread: Double?, maximumRate: Double?, ofLPR: Bool)
            /// `rate` of the amount a year towards the guarantee fee, never more than the fee.
            case feeSubsidy(rate: Double)
            /// An amount from the city table `table`.
            case grant(table: String)
            /// `share` of the bank's losses on the loans: no payment to the enterprise.
            case cover(share: Double)
        }

        /// A loan outside the catalog that the policy subsidises (创业担保贷款): the most it lends,
        /// its longest term and its rate (LPR + `spread`), the basis of the benefit (a smaller
        /// request is costed as asked).
        package struct OwnLoan: Sendable {
            package let chinese: String
            package let english: String
            package let amount: Double
            package let termMonths: Int
            package let spread: Double
        }

        package let form: Form
        /// The catalog loans it stacks on (offer ids).
        package let loans: [String]
        /// The most it pays: per enterprise a year (pro rata over the term) or per loan.
        package let cap: Double?
        package let capPerYear: Bool
        package let ownLoan: OwnLoan?
        /// The longest the subsidy runs (a longer loan is subsidised for this many months).
        package let periodMonths: Int?
        /// The smallest loan it subsidises (万元).
        package let minimumAmount: Double?
        package let source: String
        package let status: String

        /// Interest subsidies and fee subsidies are the two sorts a loan takes one of each.
        package var sort: String? {
            switch form {
            case .interestSubsidy: "interest"
            case .feeSubsidy: "fee"
            case .grant, .cover: nil
            }
        }
    }

    /// One amount of a city table (a listing reward in 济南 …), editable catalog data.
    package struct CityAmount: Sendable, Equatable {
        package let table: String
        package let city: String
        package let amount: Double
        package let date: String
        package let source: String
        package let status: String
    }

    /// The rule that decides between subsidies of one sort on one loan.
    package struct Stacking: Sendable {
        package let chinese: String
        package let english: String
        package let source: String
        package let status: String
    }

    /// The LPR in force on `day` (days since 1970-01-01): the latest row effective on or before it.
    package func lpr(on day: Int) -> LPRQuote? { lprTable.last { $0.effective <= day } }

    /// The amount of city table `table` for `city`, nil when the table has no row for it.
    package func cityAmount(_ table: String, city: String) -> CityAmount? { cityAmounts.first { $0.table == table && $0.city == city } }
}

// MARK: Arithmetic

/// The cost and subsidy arithmetic, on annual rates as fractions, amounts in 万元 and terms in
/// months (simple interest: a term of m months carries m/12 of a year's interest).
package enum LoanArithmetic {
    /// Interest on `amount` at annual `rate` over `months`.
    package static func interest(amount: Double, rate: Double, months: Double) -> Double { amount * rate * months / 12 }

    /// The subsidised part of the annual rate: `share` of the rate (of its part up to `rateCap`),
    /// at most `maximumRate`.
    package static func subsidisedRate(rate: Double, share: Double, rateCap: Double?, maximumRate: Double?) -> Double {
        let base = max(0, min(rate, rateCap ?? rate))
        return min(share * base, maximumRate ?? .infinity)
    }

    /// A cap over a term: a yearly cap counts pro rata (m/12 of it), a per-loan cap once.
    package static func cap(_ cap: Double?, perYear: Bool, months: Double) -> Double {
        guard let cap else { return .infinity }
        return perYear ? cap * months / 12 : cap
    }

    /// An interest subsidy over the term, capped.
    package static func interestSubsidy(amount: Double, rate: Double, months: Double, share: Double, rateCap: Double?, maximumRate: Double?,
                                        cap: Double?, capPerYear: Bool) -> Double {
        let subsidised = subsidisedRate(rate: rate, share: share, rateCap: rateCap, maximumRate: maximumRate)
        return min(interest(amount: amount, rate: subsidised, months: months), Self.cap(cap, perYear: capPerYear, months: months))
    }

    /// A guarantee-fee subsidy over the term: `rate` of the amount a year, at most the fee paid, capped.
    package static func feeSubsidy(amount: Double, feeRate: Double, months: Double, rate: Double, cap: Double?, capPerYear: Bool) -> Double {
        min(interest(amount: amount, rate: min(rate, feeRate), months: months), Self.cap(cap, perYear: capPerYear, months: months))
    }
}

// MARK: Decoding

extension Catalog {
    /// The catalog's `"lpr"` table: dated rows, oldest first, rates as fractions.
    static func lprTable(_ root: JSONField) throws(JSONFieldError) -> [LPRQuote] {
        guard let field = try root.optional("lpr") else { return [] }
        var rows: [LPRQuote] = []
        for item in try field.items() {
            try item.rejectUnknownKeys(["effective", "one_year", "five_year", "source", "status"])
            let dateField = try item.required("effective")
            let text = try dateField.string()
            guard let date = CivilDate(isoDate: text) else { throw dateField.error("'\(text)' is not a date (YYYY-MM-DD)") }
            if let previous = rows.last, previous.effective >= date.daysSinceEpoch {
                throw dateField.error("\(text) is not after the row before it; list the rates oldest first")
            }
            rows.append(LPRQuote(effective: date.daysSinceEpoch, oneYear: try rate(item.required("one_year")),
                                 fiveYear: try rate(item.required("five_year")),
                                 source: try item.required("source").nonEmptyString(), status: try status(item)))
        }
        guard !rows.isEmpty else { throw field.error("is empty; give the LPR rows or leave \"lpr\" out") }
        return rows
    }

    /// An annual rate as a fraction (0.031 for 3.10%), refusing percentages written as numbers.
    static func rate(_ field: JSONField, allowingNegative: Bool = false) throws(JSONFieldError) -> Double {
        let x = try field.finiteNumber()
        guard x < 0.5, allowingNegative || x >= 0, x > -0.5 else {
            throw field.error("\(field.value.summary) is not an annual rate as a fraction (write 0.031 for 3.10%)")
        }
        return x
    }

    static func status(_ item: JSONField) throws(JSONFieldError) -> String {
        let field = try item.required("status")
        let status = try field.string()
        guard conditionStatuses.contains(status) else {
            throw field.error("'\(status)' is not a rule status (\(conditionStatuses.joined(separator: ", ")))")
        }
        return status
    }

    static func positiveAmount(_ field: JSONField) throws(JSONFieldError) -> Double {
        let x = try field.finiteNumber()
        guard x > 0 else { throw field.error("should be an amount in 万元 above 0, not \(field.value.summary)") }
        return x
    }

    static func price(_ field: JSONField) throws(JSONFieldError) -> Price {
        try field.rejectUnknownKeys(["base", "spreads", "guarantee_fee", "guarantee_above", "amount", "amount_of", "term_months", "term_days", "max_term_months",
                                     "assumption_zh", "assumption_en", "source", "status"])
        let baseField = try field.required("base")
        let floating: Bool
        switch try baseField.string() {
        case "lpr": floating = true
        case "fixed": floating = false
        default: throw baseField.error("should be \"lpr\" (LPR + spread) or \"fixed\" (the spread is the whole rate)")
        }
        let spreadsField = try field.required("spreads")
        var spreads: [Price.Spread] = []
        let items = try spreadsField.items()
        for (i, item) in items.enumerated() {
            try item.rejectUnknownKeys(["when", "zh", "en", "low", "typical", "high"])
            var when: ParsedExpression?
            if let w = try item.optional("when") {
                let text = try w.nonEmptyString()
                do { when = try ExpressionParser.parse(text) } catch { throw w.error("\"\(text)\": \(error)") }
            }
            guard (when == nil) == (i == items.count - 1) else {
                throw item.error(when == nil ? "only the last spread may leave \"when\" out (it is the default)" : "the last spread is the default: leave its \"when\" out")
            }
            let low = try rate(item.required("low"), allowingNegative: floating)
            let typical = try rate(item.required("typical"), allowingNegative: floating)
            let high = try rate(item.required("high"), allowingNegative: floating)
            guard low <= typical, typical <= high else { throw item.error("should have low ≤ typical ≤ high") }
            if !floating, low <= 0 { throw item.error("a fixed rate is above 0") }
            spreads.append(Price.Spread(when: when, chinese: try item.optional("zh")?.nonEmptyString(), english: try item.optional("en")?.nonEmptyString(),
                                        low: low, typical: typical, high: high))
        }
        guard !spreads.isEmpty else { throw spreadsField.error("is empty; give at least the default spread") }
        let zh = try field.optional("assumption_zh")?.nonEmptyString(), en = try field.optional("assumption_en")?.nonEmptyString()
        guard (zh == nil) == (en == nil) else { throw field.error("give both \"assumption_zh\" and \"assumption_en\", or neither") }
        var fee: Double?
        if let f = try field.optional("guarantee_fee") { fee = try rate(f) }
        var amountOf: (field: String, share: Double)?
        if let a = try field.optional("amount_of") {
            try a.rejectUnknownKeys(["field", "share"])
            let shareField = try a.required("share")
            let share = try shareField.finiteNumber()
            guard share > 0, share <= 1 else { throw shareField.error("should be a fraction above 0 and at most 1") }
            amountOf = (try a.required("field").nonEmptyString(), share)
        }
        var guaranteeAbove: Double?
        if let g = try field.optional("guarantee_above") {
            guard fee != nil else { throw g.error("names when a guarantee is needed, but the price has no \"guarantee_fee\"") }
            guaranteeAbove = try positiveAmount(g)
        }
        let termDays = try field.optional("term_days")?.wholeNumber(in: 1...366)
        let maximum = try field.optional("max_term_months")?.wholeNumber(in: 1...360)
        let term = try field.required("term_months").wholeNumber(in: 1...360)
        if let maximum, term > maximum { throw try field.required("term_months").error("the typical term \(term) is longer than max_term_months \(maximum)") }
        return Price(floating: floating, spreads: spreads, guaranteeFee: fee, guaranteeAbove: guaranteeAbove,
                     amount: try positiveAmount(field.required("amount")), amountOf: amountOf,
                     termMonths: term, termDays: termDays, maximumTermMonths: maximum,
                     assumptionChinese: zh, assumptionEnglish: en, source: try field.required("source").nonEmptyString(), status: try status(field))
    }

    static func benefit(_ field: JSONField) throws(JSONFieldError) -> Benefit {
        try field.rejectUnknownKeys(["type", "loans", "share", "of", "rate_cap_spread", "max_rate", "cap", "cap_per", "period_months", "minimum_amount",
                                     "table", "loan", "source", "status"])
        let typeField = try field.required("type")
        func share() throws(JSONFieldError) -> Double {
            let f = try field.required("share")
            let x = try f.finiteNumber()
            guard x > 0, x <= 1 else { throw f.error("should be a fraction above 0 and at most 1 (0.4 for 40%)") }
            return x
        }
        let form: Benefit.Form
        switch try typeField.string() {
        case "interest_subsidy":
            var ofLPR = false
            if let of = try field.optional("of") {
                switch try of.string() {
                case "rate": ofLPR = false
                case "lpr": ofLPR = true
                default: throw of.error("should be \"rate\" (a share of the loan's rate) or \"lpr\" (a share of the one-year LPR)")
                }
            }
            form = .interestSubsidy(share: try share(), rateCapSpread: try field.optional("rate_cap_spread").map { (f) throws(JSONFieldError) in try rate(f, allowingNegative: true) },
                                    maximumRate: try field.optional("max_rate").map { (f) throws(JSONFieldError) in try rate(f) }, ofLPR: ofLPR)
        case "fee_subsidy": form = .feeSubsidy(rate: try rate(field.required("share")))
        case "grant": form = .grant(table: try field.required("table").nonEmptyString())
        case "cover": form = .cover(share: try share())
        case let other: throw typeField.error("'\(other)' is not a benefit type (interest_subsidy, fee_subsidy, grant, cover)")
        }
        let loans = try field.optional("loans")?.items().map { (f) throws(JSONFieldError) in try f.nonEmptyString() } ?? []
        var ownLoan: Benefit.OwnLoan?
        if let l = try field.optional("loan") {
            try l.rejectUnknownKeys(["zh", "en", "amount", "term_months", "spread"])
            ownLoan = Benefit.OwnLoan(chinese: try l.required("zh").nonEmptyString(), english: try l.required("en").nonEmptyString(),
                                      amount: try positiveAmount(l.required("amount")), termMonths: try l.required("term_months").wholeNumber(in: 1...360),
                                      spread: try rate(l.required("spread"), allowingNegative: true))
        }
        switch form {
        case .interestSubsidy, .feeSubsidy, .cover:
            guard !loans.isEmpty || ownLoan != nil else { throw field.error("names no loan: give \"loans\" (catalog loan ids) or \"loan\" (the loan it subsidises)") }
        case .grant:
            guard loans.isEmpty, ownLoan == nil else { throw field.error("a grant is paid by the city table; leave \"loans\" and \"loan\" out") }
        }
        if case .feeSubsidy = form, ownLoan != nil { throw field.error("a fee subsidy applies to catalog loans with a guarantee fee; leave \"loan\" out") }
        var capPerYear = true
        if let per = try field.optional("cap_per") {
            switch try per.string() {
            case "year": capPerYear = true
            case "loan": capPerYear = false
            default: throw per.error("should be \"year\" (per enterprise and year, pro rata over the term) or \"loan\"")
            }
        }
        return Benefit(form: form, loans: loans, cap: try field.optional("cap").map { (f) throws(JSONFieldError) in try positiveAmount(f) },
                       capPerYear: capPerYear, ownLoan: ownLoan, periodMonths: try field.optional("period_months")?.wholeNumber(in: 1...360),
                       minimumAmount: try field.optional("minimum_amount").map { (f) throws(JSONFieldError) in try positiveAmount(f) },
                       source: try field.required("source").nonEmptyString(), status: try status(field))
    }

    static func cityAmounts(_ root: JSONField) throws(JSONFieldError) -> [CityAmount] {
        guard let field = try root.optional("city_amounts") else { return [] }
        var rows: [CityAmount] = []
        for item in try field.items() {
            try item.rejectUnknownKeys(["table", "city", "amount", "date", "source", "status"])
            // As precise as the source is: a year, a month or a day.
            let dateField = try item.required("date")
            let date = try dateField.string()
            guard Self.isPartialDate(date) else { throw dateField.error("'\(date)' is not a date (YYYY-MM-DD, or YYYY-MM or YYYY when the source gives no day)") }
            let row = CityAmount(table: try item.required("table").nonEmptyString(), city: try item.required("city").nonEmptyString(),
                                 amount: try positiveAmount(item.required("amount")), date: date,
                                 source: try item.required("source").nonEmptyString(), status: try status(item))
            guard !rows.contains(where: { $0.table == row.table && $0.city == row.city }) else {
                throw item.error("table '\(row.table)' has a row for \(row.city) already")
            }
            rows.append(row)
        }
        return rows
    }

    /// Checks what prices and benefits name: an LPR table to price from, amount fields, priced
    /// loans for subsidies (with a fee for a fee subsidy), a city table with rows for a grant.
    static func checkPrices(_ offers: [Offer], lprTable: [LPRQuote], cityAmounts: [CityAmount], schema: RecordSchema) throws(JSONFieldError) {
        for index in offers.indices {
            let offer = offers[index]
            if offer.price != nil, lprTable.isEmpty {
                throw JSONFieldError(keyPath: "offers[\(index)].price", message: "offer '\(offer.id)' has a price but the catalog has no \"lpr\" table to price it from")
            }
            if let field = offer.price?.amountOf?.field {
                let amount = schema.index(of: field).map { f -> Bool in
                    if case .number = schema.fields[f].kind { return true }
                    return false
                } ?? false
                if !amount {
                    throw JSONFieldError(keyPath: "offers[\(index)].price.amount_of.field", message: "'\(field)' is not an amount field")
                }
            }
            guard let benefit = offer.benefit else { continue }
            for loan in benefit.loans {
                let price = offers.first { $0.id == loan }?.price
                if price == nil {
                    throw JSONFieldError(keyPath: "offers[\(index)].benefit.loans", message: "'\(loan)' is not an offer of this catalog with a price")
                }
                if case .feeSubsidy = benefit.form, price?.guaranteeFee == nil {
                    throw JSONFieldError(keyPath: "offers[\(index)].benefit.loans", message: "'\(loan)' has no guarantee fee to subsidise")
                }
            }
            if case .grant(let table) = benefit.form, !cityAmounts.contains(where: { $0.table == table }) {
                throw JSONFieldError(keyPath: "offers[\(index)].benefit.table", message: "no row of \"city_amounts\" is in table '\(table)'")
            }
            if benefit.ownLoan != nil, lprTable.isEmpty {
                throw JSONFieldError(keyPath: "offers[\(index)].benefit.loan", message: "the catalog has no \"lpr\" table to price the loan from")
            }
        }
    }

    /// YYYY, YYYY-MM or YYYY-MM-DD, a real month and day.
    static func isPartialDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]) else { return false }
        let month = parts.count > 1 ? Int(parts[1]) ?? 0 : 1, day = parts.count > 2 ? Int(parts[2]) ?? 0 : 1
        return CivilDate(year: year, month: month, day: day) != nil
    }

    static func stacking(_ root: JSONField) throws(JSONFieldError) -> Stacking? {
        guard let field = try root.optional("stacking") else { return nil }
        try field.rejectUnknownKeys(["zh", "en", "source", "status"])
        return Stacking(chinese: try field.required("zh").nonEmptyString(), english: try field.required("en").nonEmptyString(),
                        source: try field.required("source").nonEmptyString(), status: try status(field))
    }
}
