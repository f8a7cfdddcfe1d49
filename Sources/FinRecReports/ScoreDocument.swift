package import FinRecBase
public import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
public import FinRecInference
import FinRecEvaluation
/// The assessments of one or more applicants (`finrec score`):
/// a terminal table, the JSON contract (`finrec-score`, ``formatVersion``; fields are only ever
/// added) or CSV (one line per applicant × offer).
public struct ScoreDocument: Sendable {
    public enum Format: String, Sendable, CaseIterable { case table, json, csv }

    /// The version of the JSON contract.
    public static let formatVersion = 2
    /// The most applicants one document holds; pools go to ``PoolRanker``.
    public static let maximumApplicants = 10_000
    public let results: [ApplicantAssessment]
    package let scorer: OfferScorer
    package let language: Language
    /// Reason codes shown per direction and offer.
    public let reasons: Int
    /// The model file, as named to the user.
    public let modelPath: String
    /// The assessment date, YYYY-MM-DD.
    public let asOf: String
    /// The encoding the applicants' input was read in (UTF-8 unless it was not).
    public var inputEncoding = TextEncoding.utf8

    package init(results: [ApplicantAssessment], scorer: OfferScorer, language: Language, reasons: Int, modelPath: String, asOf: String) {
        self.results = results
        self.scorer = scorer
        self.language = language
        self.reasons = reasons
        self.modelPath = modelPath
        self.asOf = asOf
    }

    public func render(_ format: Format) -> String {
        switch format {
        case .table: table()
        case .json: json()
        case .csv: csv()
        }
    }

    var zh: Bool { language == .zh }

    func statusText(_ status: Truth) -> String {
        switch status {
        case .pass: zh ? "符合" : "eligible"
        case .unknown: zh ? "待定" : "unknown"
        case .fail: zh ? "不符合" : "ineligible"
        }
    }

    func offerName(_ offer: Catalog.Offer) -> String {
        zh ? "\(offer.chineseName) (\(offer.id))" : "\(offer.chineseName) \(offer.englishName) (\(offer.id))"
    }

    func signedPoints(_ x: Double) -> String { (x >= 0 ? "+" : "") + Fixed.exact(x, digits: 1) }

    func valueText(_ value: FeatureValue?) -> String? {
        switch value {
        case .number(let v): Fixed.format(v, digits: abs(v) >= 100 ? 0 : 4)
        case .category(let code, let chinese): zh ? chinese : code
        case .missing: zh ? "缺失" : "missing"
        case nil: nil
        }
    }

    /// Missing features listed under 补充资料 in the table (JSON carries them all).
    package static let tableSupplements = 5

    /// "最近一年研发投入占比 16.33 超出训练范围（上限 0.31），按 0.31 计分".
    func rangeText(_ note: FittedFeatures.RangeNote) -> String {
        let f = scorer.model.features.spec.features[note.feature]
        // Two decimals, more when they would print the value and its bound alike (1 against 0.9983).
        let digits = (2...6).first { Fixed.format(note.value, digits: $0) != Fixed.format(note.bound, digits: $0) } ?? 6
        let value = Fixed.format(note.value, digits: digits), bound = Fixed.format(note.bound, digits: digits)
        if scorer.model.features.layout == .oneSided {
            return zh ? "注意：\(f.chinese) \(value) 超出训练范围（\(note.above ? "上限" : "下限") \(bound)）：对申请人有利的方向按 \(bound) 计分，不利的方向按线性外推（至训练数据的 0.05%/99.95% 分位）"
                : "note: \(f.english) \(value) is beyond the training range (\(note.above ? "at most" : "at least") \(bound)); scored as \(bound) where going further would help the applicant, extrapolated (up to the 0.05th/99.95th percentile of the training data) where it hurts"
        }
        return zh ? "注意：\(f.chinese) \(value) 超出训练范围（\(note.above ? "上限" : "下限") \(bound)），按 \(bound) 计分"
            : "note: \(f.english) \(value) is beyond the training range (\(note.above ? "at most" : "at least") \(bound)); scored as \(bound)"
    }

    /// "最接近：创业板标准二（差距 0.27）" / "nearest: ChiNext standard 2 (distance 0.27)".
    /// Out of reach now but open with the next accounts: "现有财务数据无法达到；待2026年度财务报表（约2027年4—5月公布）后最接近：北交所标准一（差距 0.07）".
    func gapHeading(_ gap: EligibilityGap) -> String {
        if let accounts = gap.nextAccounts {
            let distance = Fixed.exact(accounts.distance, digits: 2)
            let way = gap.standards.joined(separator: " · ")
            return zh ? "现有财务数据无法达到；待\(accounts.text)后" + (way.isEmpty ? "差距 \(distance)，需满足：" : "最接近：\(way)（差距 \(distance)）：")
                : "out of reach with the current accounts; with \(accounts.text), " + (way.isEmpty ? "distance \(distance); to meet:" : "nearest: \(way) (distance \(distance)):")
        }
        guard gap.reachable else { return zh ? "无法通过（适用规则或条件不可改变）：" : "out of reach (the rules that apply, or conditions that cannot change):" }
        let distance = Fixed.exact(gap.distance, digits: 2)
        if gap.standards.isEmpty { return zh ? "差距 \(distance)，需满足：" : "distance \(distance); to meet:" }
        let way = gap.standards.joined(separator: zh ? " · " : " · ")
        return zh ? "最接近：\(way)（差距 \(distance)）" : "nearest: \(way) (distance \(distance))"
    }

    /// "近24个月逾期次数（最多 +48.7分，专精特新贷）".
    func supplementText(_ s: ApplicantAssessment.Supplement) -> String {
        let offer = scorer.catalog.offers.first { $0.id == s.offer }.map(\.chineseName) ?? s.offer
        return zh ? "\(s.label)（最多 \(signedPoints(s.maximumPoints))分，\(offer)）" : "\(s.label) (up to \(signedPoints(s.maximumPoints)) pts, \(offer))"
    }

    func codeText(_ code: ReasonCode, _ a: ApplicantAssessment, offer: Catalog.Offer) -> String {
        let value = valueText(a.featureValues[code.order]).map { " = \($0)" } ?? ""
        let note = missingNote(code, a, offer: offer).map { zh ? "（\($0)）" : " (\($0))" } ?? ""
        return "\(code.label(language))\(value) \(signedPoints(code.points))" + (zh ? "分" : " pts") + note
    }

    /// For a reason code of a missing value: how the model scores it until it is supplied, e.g.
    /// "缺失按训练数据中最不利的取值计分，补充后重算"; nil for a value that is there. Models from
    /// format 3 cap a missing value's contribution at the least favourable present value seen in
    /// training (``FittedFeatures/cappingMissingWeights(_:)``); it may score lower still where
    /// the data said so, and older models score it as learnt.
    func missingNote(_ code: ReasonCode, _ a: ApplicantAssessment, offer: Catalog.Offer) -> String? {
        guard a.featureValues[code.order] == .missing,
              let product = scorer.model.linear.products.first(where: { $0.id == offer.id }) else { return nil }
        let range = scorer.model.features.contributionRange(feature: code.order, weights: product.weights)
        let rounding = 1e-9 * max(1, abs(range.worst), abs(range.best))
        if abs(range.missing - range.worst) <= rounding {
            return zh ? "缺失按训练数据中最不利的取值计分，补充后重算" : "missing: scored as the least favourable value seen in training until supplied"
        }
        if range.missing < range.worst {
            return zh ? "缺失的计分低于训练数据中最不利的取值，补充后重算" : "missing: scored below the least favourable value seen in training until supplied"
        }
        return zh ? "缺失，补充后重算" : "missing: rescored once supplied"
    }

    // MARK: Table

    public func table() -> String {
        var out = ""
        for a in results {
            let who = a.name.map { "\($0)（\(a.enterpriseID)）" } ?? a.enterpriseID
            out += (zh ? "企业 \(who)  评估日 \(asOf)\n" : "Enterprise \(who)  assessed as of \(asOf)\n")
            let figures = a.keyFigures.map { "\($0.label) \($0.text)" }
            for start in stride(from: 0, to: figures.count, by: 4) {
                out += "  " + figures[start..<min(start + 4, figures.count)].joined(separator: " · ") + "\n"
            }
            for note in a.rangeNotes { out += "  " + rangeText(note) + "\n" }
            if !a.supplements.isEmpty {
                out += "  " + (zh ? "补充资料：" : "worth supplying: ")
                    + a.supplements.prefix(Self.tableSupplements).map(supplementText).joined(separator: zh ? "；" : "; ") + "\n"
            }
            out += "\n"
            let nameWidth = (a.offers.map { offerName($0.offer).displayWidth }.max() ?? 0) + 2
            for o in a.offers {
                if o.rank == 1 {
                    if o.list.id != scorer.catalog.lists.first?.id { out += "\n" }
                    out += "【\(o.list.title(language))】\n"
                    out += (zh ? "排名" : "rank").padded(to: 6) + (zh ? "产品/板块" : "offer").padded(to: nameWidth)
                        + (zh ? "状态" : "status").padded(to: 12) + (zh ? "概率" : "prob.").padded(to: 8)
                        + (zh ? "95%区间" : "95% interval").padded(to: 14) + (zh ? "分数" : "points") + "\n"
                }
                out += String(o.rank).padded(to: 6) + offerName(o.offer).padded(to: nameWidth) + statusText(o.status).padded(to: 12)
                    + (o.probability.map { Fixed.exact($0, digits: 3) } ?? "-").padded(to: 8)
                    + (o.interval.map { Fixed.exact($0.lowerBound, digits: 2) + "–" + Fixed.exact($0.upperBound, digits: 2) } ?? "-").padded(to: 14)
                    + (o.points.map { Fixed.exact($0, digits: 0) } ?? "-") + "\n"
                if o.indicative, o.probability != nil, let n = o.successes, let ranking = o.rankingProbability {
                    out += "      " + (zh ? "参考：模型仅学自 \(n) 个成功案例（少于 \(OfferScorer.minimumSuccesses)），按收缩估计 \(Fixed.exact(ranking, digits: 3)) 排序"
                                         : "indicative: learnt from \(n) successes only (fewer than \(OfferScorer.minimumSuccesses)); ranked by the shrunk estimate \(Fixed.exact(ranking, digits: 3))") + "\n"
                }
                for w in o.warnings { out += "      " + (zh ? "注意：" : "warning: ") + w.text + "\n" }
                if let path = o.path { out += "      " + (zh ? "路径：" : "path: ") + path.text + "\n" }
                if o.status == .fail, let gap = o.gap {
                    // The nearest way to pass, each shortfall on it; every failed condition is in the JSON.
                    out += "      " + gapHeading(gap) + "\n"
                    for item in gap.items { out += "      · \(item.text)\n" }
                } else {
                    for reason in o.reasons { out += "      · \(reason.text)\n" }
                }
                let up = o.topUp(reasons), down = o.topDown(reasons)
                // Points follow the event's probability: for an adverse event more points are worse.
                let adverse = scorer.model.features.polarity == .adverse
                if !up.isEmpty {
                    out += "      " + (zh ? (adverse ? "加分（风险升高）：" : "加分：") : (adverse ? "up (raises the risk): " : "up: ")) + up.map { codeText($0, a, offer: o.offer) }.joined(separator: "；") + "\n"
                }
                if !down.isEmpty {
                    out += "      " + (zh ? (adverse ? "减分（风险降低）：" : "减分：") : (adverse ? "down (lowers the risk): " : "down: ")) + down.map { codeText($0, a, offer: o.offer) }.joined(separator: "；") + "\n"
                }
                if let cost = o.cost {
                    out += "      " + (zh ? "成本：" : "cost: ") + costText(cost, offer: o.offer) + "\n"
                    for note in costNotes(cost, offer: o.offer) { out += "        " + note + "\n" }
                }
                if let benefit = o.benefit {
                    out += "      " + (zh ? "可享金额：" : "worth: ") + (benefit.amount.map(money) ?? "—") + (zh ? "；" : "; ") + benefitNote(benefit, offer: o.offer) + "\n"
                }
                if let terms = o.offer.terms, o.status != .fail {
                    out += "      " + (zh ? "额度 \(terms.amountChinese)；期限 \(terms.termChinese)；利率 \(terms.rateChinese)"
                                         : "amount \(terms.amountEnglish); term \(terms.termEnglish); rate \(terms.rateEnglish)") + "\n"
                }
            }
            if !a.held.isEmpty {
                out += "\n" + (zh ? "已具备：" : "already held: ") + a.held.map(\.chineseName).joined(separator: zh ? "、" : ", ") + "\n"
            }
            for n in a.notApplicable {
                out += (zh ? "不适用：" : "does not apply: ") + offerName(n.offer) + (zh ? "——" : " — ")
                    + n.reasons.map(\.text).joined(separator: zh ? "；" : "; ") + "\n"
            }
            out += "\n"
        }
        if let note = scorer.model.provenance.probabilityNote(language) { out += note + "\n" }
        if let note = inputEncoding.readNote { out += note + "\n" }
        return out
    }

    // MARK: JSON

    public func json() -> String { jsonValue().prettyPrinted() }

    /// The finrec-score document as a value (the service sends it compact).
    package func jsonValue() -> JSONValue { report().json }

    /// The document as compact JSON bytes and a line feed (``jsonValue()`` written by
    /// ``JSONValue/compact()``), written straight into one buffer: what the service sends and logs.
    package func compactJSON() -> [UInt8] { report().compactJSON() }

    /// The document as typed values, every text in the document's language: what the JSON
    /// writes and the workbook and the page render.
    public func report() -> ScoreReport {
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        func codes(_ list: [ReasonCode], _ a: ApplicantAssessment, _ offer: Catalog.Offer) -> [ScoreReport.ReasonCode] {
            list.map { c in
                ScoreReport.ReasonCode(feature: c.feature, label: c.label(language), value: valueText(a.featureValues[c.order]),
                                       points: c.points, logit: c.logit, missingNote: missingNote(c, a, offer: offer))
            }
        }
        let enterprises: [ScoreReport.Enterprise] = results.map { a in
            let offers: [ScoreReport.Offer] = a.offers.map { o in
                ScoreReport.Offer(
                    rank: o.rank, id: o.offer.id, kind: o.offer.kind.id, nameZh: o.offer.chineseName, nameEn: o.offer.englishName,
                    status: o.status.code, probability: finite(o.probability), points: finite(o.points), logit: finite(o.logit),
                    basePoints: finite(o.basePoints), list: o.list.id,
                    probabilityInterval: o.interval.map { [$0.lowerBound, $0.upperBound] },
                    logitStandardError: finite(o.standardError), successes: o.successes, indicative: o.indicative,
                    rankingProbability: finite(o.rankingProbability),
                    reasons: o.reasons.map { r in
                        ScoreReport.Reason(condition: r.conditionID, status: r.status.code, text: r.text, missingFields: r.missingFields,
                                           unconfirmed: r.unconfirmed, review: r.review, source: r.source)
                    },
                    warnings: o.warnings.map { w in
                        ScoreReport.Reason(condition: w.conditionID, status: nil, text: w.text, missingFields: nil, unconfirmed: nil, review: nil, source: w.source)
                    },
                    gap: o.gap.map(ScoreReport.Gap.init), path: o.path.map(ScoreReport.Path.init),
                    reasonCodesUp: codes(o.topUp(reasons), a, o.offer), reasonCodesDown: codes(o.topDown(reasons), a, o.offer),
                    terms: o.offer.terms.map { t in
                        ScoreReport.Terms(amount: zh ? t.amountChinese : t.amountEnglish, term: zh ? t.termChinese : t.termEnglish,
                                          rate: zh ? t.rateChinese : t.rateEnglish, source: t.source)
                    },
                    cost: o.cost.map { reportCost($0, offer: o.offer) },
                    benefit: o.benefit?.amount.flatMap { $0.isFinite ? $0 : nil },
                    benefitNote: o.benefit.map { benefitNote($0, offer: o.offer) })
            }
            return ScoreReport.Enterprise(
                enterpriseId: a.enterpriseID, name: a.name, line: a.line,
                keyFigures: a.keyFigures.map { ScoreReport.KeyFigure(name: $0.name, label: $0.label, value: finite($0.value), text: $0.text) },
                rangeNotes: a.rangeNotes.map { n in
                    let f = scorer.model.features.spec.features[n.feature]
                    return ScoreReport.RangeNote(feature: f.name, label: zh ? f.chinese : f.english, value: n.value, scoredAs: n.bound,
                                                 above: n.above, text: rangeText(n))
                },
                supplements: a.supplements.map { ScoreReport.Supplement(feature: $0.name, label: $0.label, maxPoints: $0.maximumPoints, offerId: $0.offer) },
                held: a.held.map(\.id),
                notApplicable: a.notApplicable.map { n in
                    ScoreReport.NotApplicable(id: n.offer.id, nameZh: n.offer.chineseName, reasons: n.reasons.map { r in
                        ScoreReport.Reason(condition: r.conditionID, status: nil, text: r.text, missingFields: nil, unconfirmed: r.unconfirmed,
                                           review: nil, source: r.source)
                    })
                },
                offers: offers)
        }
        let scaling = scorer.model.scaling
        return ScoreReport(formatVersion: Self.formatVersion, finrecVersion: FinRecVersion.current, model: modelPath, asOf: asOf,
                           language: language.rawValue, event: scorer.model.features.polarity.rawValue,
                           scaling: ScoreReport.Scaling(offset: scaling.offset, factor: scaling.factor),
                           modelDataOrigin: scorer.model.provenance.dataOrigin?.rawValue,
                           probabilityNote: scorer.model.provenance.probabilityNote(language), enterprises: enterprises,
                           inputEncoding: inputEncoding == .utf8 ? nil : inputEncoding.rawValue)
    }

    // MARK: CSV

    /// The CSV header line.
    package static let csvHeader = "enterprise_id,name,list,rank,offer_id,offer_name_zh,kind,status,probability,probability_low,probability_high,indicative,points,logit,reasons,reason_codes_up,reason_codes_down,gap_distance,nearest,shortfalls,path,rate,effective_rate,cost_amount,cost_term_months,interest,subsidies,benefit\n"

    public func csv() -> String { Self.csvHeader + csvLines() }

    /// The CSV lines without the header (``PoolScoring`` streams them chunk by chunk).
    package func csvLines() -> String { String(decoding: csvLineBytes(), as: UTF8.self) }

    /// ``csvLines()`` as UTF-8 bytes, as a stream writes them.
    package func csvLineBytes() -> [UInt8] {
        var out = CSVLineWriter(capacity: results.count * 20_000)
        for a in results {
            for o in a.offers {
                out.field(a.enterpriseID); out.field(a.name ?? ""); out.field(o.list.id); out.field(String(o.rank))
                out.field(o.offer.id); out.field(o.offer.chineseName); out.field(o.offer.kind.id)
                out.field(o.status.code); out.field(o.probability); out.field(o.interval?.lowerBound); out.field(o.interval?.upperBound)
                out.field(o.indicative ? "1" : "0")
                out.field(o.points); out.field(o.logit)
                out.field(joining: o.reasons.map(\.text), separator: "; ")
                out.field(joining: o.topUp(reasons).map { codeText($0, a, offer: o.offer) }, separator: "; ")
                out.field(joining: o.topDown(reasons).map { codeText($0, a, offer: o.offer) }, separator: "; ")
                out.field(o.gap.map { $0.reachable ? "\($0.distance)" : "unreachable" } ?? "")
                out.field(joining: o.gap?.standards ?? [], separator: " · ")
                out.field(joining: o.gap?.items.map(\.text) ?? [], separator: "; ")
                out.field(o.path?.text ?? "")
                out.field(o.cost?.rate); out.field(o.cost?.effectiveRate); out.field(o.cost?.amount)
                out.field(o.cost?.months)
                out.field(o.cost?.interest)
                out.field(o.cost?.subsidies.map { "\(scorer.catalog.offers[$0.offer].id) \($0.amount)" }.joined(separator: "; ") ?? "")
                out.field(o.benefit?.amount)
                out.endLine()
            }
        }
        return out.finish()
    }
}
