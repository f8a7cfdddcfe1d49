import FinRecBase
import FinRecFeatures
import FinRecCatalog
import FinRecInference

// How costs and benefits read: "专精特新贷 2.80% − 鲁科贷贴息 40%（上限 50万元/年）→ 1.68%，500万元 12个月 利息 8.4万元".
extension ScoreDocument {
    func percent(_ x: Double) -> String { Fixed.exact(x * 100, digits: 2) + "%" }

    func money(_ x: Double) -> String { EligibilityResult.format(x, .money, language) }

    func term(_ cost: LoanCost) -> String {
        if case .fixedDays(let days) = cost.termNote { return zh ? "\(days)天" : "\(days) days" }
        let months = Fixed.format(cost.months, digits: 2)
        return zh ? "\(months)个月" : "\(months) months"
    }

    /// "鲁科贷贴息 40%（上限 50万元/年）": a policy's name with what it pays on a loan.
    func subsidyName(_ offer: Catalog.Offer) -> String {
        guard let benefit = offer.benefit else { return offer.chineseName }
        var terms: [String] = []
        switch benefit.form {
        case .interestSubsidy(let share, let capSpread, let maximumRate, let ofLPR):
            if let capSpread {
                terms.append(zh ? "利率按不超过1年期LPR\(Fixed.signed(capSpread * 10_000, digits: 0))BP计" : "on a rate of at most the 1-year LPR \(Fixed.signed(capSpread * 10_000, digits: 0)) bp")
            }
            if let maximumRate { terms.append(zh ? "最多 \(percent(maximumRate))" : "at most \(percent(maximumRate))") }
            if let cap = benefit.cap { terms.append((zh ? "上限 " : "up to ") + money(cap) + (benefit.capPerYear ? (zh ? "/年" : " a year") : (zh ? "/笔" : " a loan"))) }
            if let period = benefit.periodMonths { terms.append(zh ? "最长 \(period) 个月" : "for at most \(period) months") }
            if let minimum = benefit.minimumAmount { terms.append(zh ? "贷款不少于 \(money(minimum))" : "loans of at least \(money(minimum))") }
            let base = ofLPR ? (zh ? "1年期LPR的" : "of the 1-year LPR ") : ""
            return "\(offer.chineseName) \(base)\(Fixed.format(share * 100, digits: 2))%" + (terms.isEmpty ? "" : zh ? "（\(terms.joined(separator: "，"))）" : " (\(terms.joined(separator: ", ")))")
        case .feeSubsidy(let rate):
            if let cap = benefit.cap { terms.append((zh ? "上限 " : "up to ") + money(cap)) }
            return "\(offer.chineseName) " + (zh ? "每年 \(percent(rate))" : "\(percent(rate)) a year") + (terms.isEmpty ? "" : zh ? "（\(terms.joined(separator: "，"))）" : " (\(terms.joined(separator: ", ")))")
        case .grant, .cover:
            return offer.chineseName
        }
    }

    /// The cost line of a priced offer.
    func costText(_ cost: LoanCost, offer: Catalog.Offer) -> String {
        let offers = scorer.catalog.offers
        var text = "\(offer.chineseName) \(percent(cost.rate))"
        let interestSubsidies = cost.subsidies.filter { $0.sort == "interest" }
        if !interestSubsidies.isEmpty {
            text += " − " + interestSubsidies.map { subsidyName(offers[$0.offer]) }.joined(separator: " − ") + " → \(percent(cost.effectiveRate))"
        }
        text += zh ? "，\(money(cost.amount)) \(term(cost)) 利息 \(money(cost.interest))" : ", \(money(cost.amount)) over \(term(cost)): interest \(money(cost.interest))"
        if cost.interestBeforeSubsidy != cost.interest {
            text += zh ? "（贴息 \(money(cost.interestBeforeSubsidy - cost.interest))）" : " (subsidy \(money(cost.interestBeforeSubsidy - cost.interest)))"
        }
        if cost.guaranteeFee > 0 {
            text += zh ? "，担保费 \(money(cost.guaranteeFee))" : ", guarantee fee \(money(cost.guaranteeFee))"
            if cost.feeSubsidy > 0 { text += zh ? "（补贴 \(money(cost.feeSubsidy))）" : " (subsidy \(money(cost.feeSubsidy)))" }
            text += zh ? "，合计 \(money(cost.total))" : ", total \(money(cost.total))"
        }
        return text
    }

    /// The notes under a cost: its rate's make-up, the basis, a capped term, what did not stack,
    /// what may still apply.
    func costNotes(_ cost: LoanCost, offer: Catalog.Offer) -> [String] {
        let offers = scorer.catalog.offers
        var notes: [String] = []
        let range = "\(percent(cost.rateLow))–\(percent(cost.rateHigh))"
        if let lpr = cost.lpr {
            let spread = cost.rate - lpr
            let date = cost.lprOverridden ? (zh ? "--lpr 指定" : "set by --lpr") : CivilDate(daysSinceEpoch: cost.lprEffective).iso + (zh ? " 起" : " on")
            notes.append(zh ? "利率 = \(cost.tenor.name(language)) \(percent(lpr))（\(date)）\(spread < 0 ? "−" : "+") \(Fixed.exact(abs(spread) * 100, digits: 2))个百分点；公开区间 \(range)"
                            : "rate = \(cost.tenor.name(language)) \(percent(lpr)) (\(date)) \(spread < 0 ? "−" : "+") \(Fixed.exact(abs(spread) * 100, digits: 2)) points; published range \(range)")
        } else {
            notes.append(zh ? "固定费率（年化）\(percent(cost.rate))；公开区间 \(range)" : "fixed rate (annualised) \(percent(cost.rate)); published range \(range)")
        }
        switch cost.basis {
        case .requested: break
        case .typical: notes.append(zh ? "未填申请金额和期限，按本产品典型金额和期限计算" : "no amount or term requested: costed at the product's typical amount and term")
        case .partlyRequested: notes.append(zh ? "申请金额或期限缺一项，缺的一项按本产品典型值计算" : "amount or term not requested: the missing one at the product's typical value")
        }
        if case .capped(let asked, let maximum) = cost.termNote {
            notes.append(zh ? "申请期限 \(asked) 个月超过本产品最长 \(maximum) 个月，按 \(maximum) 个月计" : "the requested \(asked) months exceed the product's longest term of \(maximum) months: costed at \(maximum)")
        }
        for declined in cost.declined {
            let reason = scorer.catalog.stacking.map { zh ? $0.chinese : $0.english }
                ?? (zh ? "同一笔贷款同类补贴只取一项" : "one subsidy of a sort per loan")
            notes.append(zh ? "未叠加 \(offers[declined.offer].chineseName) \(money(declined.amount))：\(reason)，已取 \(offers[declined.instead].chineseName)"
                            : "not stacked: \(offers[declined.offer].chineseName) \(money(declined.amount)); \(reason); chose \(offers[declined.instead].chineseName)")
        }
        if !cost.possible.isEmpty {
            let names = cost.possible.map { offers[$0].chineseName }.joined(separator: zh ? "、" : ", ")
            notes.append(zh ? "或可另享（条件待定，未计入）：\(names)" : "may also apply (undecided, not counted): \(names)")
        }
        if let price = offer.price, let assumption = zh ? price.assumptionChinese : price.assumptionEnglish {
            notes.append((zh ? "价格为假设：" : "assumed price: ") + assumption)
        }
        return notes
    }

    /// A policy's benefit line: "12.0万元（专精特新贷 500万元 12个月）", or why there is no amount.
    func benefitNote(_ benefit: PolicyBenefit, offer: Catalog.Offer) -> String {
        let offers = scorer.catalog.offers
        if let row = benefit.cityAmount {
            // Paid by the city once the step is reached; the source is in the catalog (/v1/offers).
            let mark = row.status == "unconfirmed" ? Catalog.Condition.unconfirmedMark(language) : ""
            return zh ? "\(row.city)标准（\(row.date)）\(money(row.amount))，达成后由市里支付\(mark)"
                : "\(row.city)'s amount (\(row.date)) \(money(row.amount)), paid by the city once reached\(mark)"
        }
        if let loan = benefit.loan {
            return zh ? "按\(offers[loan].chineseName)的成本基础计算" : "on \(offers[loan].chineseName)'s cost basis"
        }
        if let basis = benefit.ownLoanBasis, let own = offer.benefit?.ownLoan {
            let months = Fixed.format(basis.months, digits: 2)
            return zh ? "按\(own.chinese) \(money(basis.amount)) \(months)个月、利率 \(percent(basis.rate)) 计算（将来的贷款）"
                : "on a \(own.english) of \(money(basis.amount)) over \(months) months at \(percent(basis.rate)) (a future loan)"
        }
        switch benefit.reason {
        case .noEligibleLoan(let loans)?:
            let names = loans.map { offers[$0].chineseName }.joined(separator: zh ? "、" : ", ")
            return zh ? "取决于将来获批的贷款（\(names)），目前没有符合条件的" : "depends on a future loan (\(names)); none is open to the enterprise yet"
        case .noCityAmount(let city)?:
            return zh ? "\(city ?? "所在城市缺失")：城市金额表中无此市金额" : "\(city ?? "city missing"): the city table has no amount for it"
        case .cover?:
            return zh ? "分担银行贷款损失，不直接付给企业；使银行更愿意放贷" : "shares the bank's losses; nothing is paid to the enterprise"
        case .belowMinimum(let minimum)?:
            return zh ? "只贴息不少于 \(money(minimum)) 的贷款，本次成本基础低于此数" : "only loans of at least \(money(minimum)) are subsidised; the cost basis is below it"
        case nil:
            return ""
        }
    }

    func reportCost(_ cost: LoanCost, offer: Catalog.Offer) -> ScoreReport.Cost {
        let offers = scorer.catalog.offers
        func subsidy(_ offer: Int, _ sort: String, _ amount: Double) -> ScoreReport.Subsidy {
            ScoreReport.Subsidy(offerId: offers[offer].id, nameZh: offers[offer].chineseName, sort: sort, amount: amount)
        }
        return ScoreReport.Cost(
            rate: cost.rate, rateLow: cost.rateLow, rateHigh: cost.rateHigh, effectiveRate: cost.effectiveRate,
            lpr: cost.lpr, lprTenor: cost.lpr == nil ? nil : cost.tenor.rawValue, lprDate: CivilDate(daysSinceEpoch: cost.lprEffective).iso,
            lprOverridden: cost.lprOverridden, amount: cost.amount, termMonths: cost.months, basis: cost.basis.rawValue,
            interestBeforeSubsidy: cost.interestBeforeSubsidy, interest: cost.interest, guaranteeFee: cost.guaranteeFee, total: cost.total,
            subsidies: cost.subsidies.map { subsidy($0.offer, $0.sort, $0.amount) },
            declined: cost.declined.map { d in subsidy(d.offer, offers[d.offer].benefit?.sort ?? "interest", d.amount) },
            possible: cost.possible.map { offers[$0].id },
            assumption: offer.price.flatMap { zh ? $0.assumptionChinese : $0.assumptionEnglish },
            text: costText(cost, offer: offer), notes: costNotes(cost, offer: offer))
    }
}
