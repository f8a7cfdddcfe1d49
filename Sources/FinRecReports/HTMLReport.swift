import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
package import FinRecModel
import FinRecInference
package import FinRecEvaluation
import FinRecPlanning
/// `finrec report`: one self-contained HTML file for a risk committee — per offer the ROC and
/// KS curves, calibration, the points of successes and failures, the gains table and the
/// information-value ranking, and with a baseline the population stability. Charts are inline
/// SVG; no script, no font, no request leaves the file (its Content-Security-Policy forbids it).
package struct HTMLReport: Sendable {
    package let model: TrainedModel
    package let modelPath: String
    package let evaluation: ModelEvaluation
    package let dataPath: String
    /// Per product (model order), its features' information value on the data, largest first.
    package let informationValues: BinningDocument?
    package let stability: PopulationStability?
    package let asOf: String
    package let generated: String
    package var bands = 10
    /// A plan chosen on the evaluated pool (`finrec report --plan`): its section and chart.
    package var plan: PlanDocument?
    /// A panel followed year by year (`finrec report --history`): its backtest section and chart.
    package var track: TrackDocument?

    package init(model: TrainedModel, modelPath: String, evaluation: ModelEvaluation, dataPath: String, informationValues: BinningDocument?,
                stability: PopulationStability?, asOf: String, generated: String) {
        self.model = model
        self.modelPath = modelPath
        self.evaluation = evaluation
        self.dataPath = dataPath
        self.informationValues = informationValues
        self.stability = stability
        self.asOf = asOf
        self.generated = generated
    }

    static let style = """
        body{font-family:"WenQuanYi Zen Hei","Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:24px auto;max-width:1200px;color:#222;line-height:1.45}
        h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;border-bottom:2px solid #1f5fa8;padding-bottom:4px;margin-top:36px}h3{font-size:16px;margin:18px 0 6px}
        table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eef3fa}
        td.l,th.l{text-align:left}.meta{color:#555;font-size:13px}.charts{display:flex;flex-wrap:wrap;gap:12px}
        .chart{background:#fff;border:1px solid #ddd}.chart .grid{stroke:#eee}.chart .frame{fill:none;stroke:#999}
        .chart text{font-size:11px;fill:#333}.chart .chart-title{font-size:13px;font-weight:bold}.chart .axis{font-size:12px}
        .chart .legend{font-size:11px}.chart .note{font-size:12px;font-weight:bold}.stable{color:#2e7d32}.watch{color:#b8860b}.act{color:#c62828;font-weight:bold}
        nav a{margin-right:12px}.product{page-break-inside:avoid}
        @media print{body{margin:0;max-width:none}nav{display:none}h2{page-break-before:always}.chart{border:none}}
        """

    func e(_ s: String) -> String { SVGChart.escape(s) }
    func f(_ x: Double?, _ digits: Int = 3) -> String { x.map { $0.isFinite ? Fixed.exact($0, digits: digits) : "-" } ?? "-" }
    func pct(_ x: Double) -> String { x.isFinite ? Fixed.exact(100 * x, digits: 1) + "%" : "-" }

    /// What label 1 means, as the report's header says it.
    static func eventText(_ polarity: FittedFeatures.EventPolarity) -> String {
        polarity == .favourable ? "事件为成功，概率越高对企业越有利 (event = success, label 1: favourable; a higher probability is better for the applicant)。"
            : "事件为违约等不利结果，概率越高对企业越不利 (event = default or another adverse outcome, label 1: adverse; a higher probability is worse for the applicant)。"
    }

    package func render() -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>FinRec 模型报告 model report</title><style>\(Self.style)</style></head><body>
            <h1>FinRec 模型报告 <small>model report</small></h1>
            """
        let p = model.provenance
        h += "<p class=\"meta\">模型 model: \(e(modelPath)) · 训练数据 trained on \(e(p.trainingFile)) (\(p.rows) 行 rows, 评估日 as of \(e(p.asOfDate))) · FinRec \(e(p.finrecVersion))<br>"
        h += "评估数据 evaluated on: \(e(dataPath)) (\(evaluation.rows) 行 rows) · 资格评估日 assessment date \(e(asOf)) · 生成 generated \(e(generated))<br>"
        h += "分数 points = \(f(model.scaling.offset, 2)) + \(f(model.scaling.factor, 3)) × ln(odds)：几率 50:1 时 600 分，每 \(f(model.scaling.factor * 0.6931471805599453, 0)) 分几率翻倍 (points double the odds). \(Self.eventText(model.features.polarity))</p>"
        h += "<nav><a href=\"#summary\">汇总 Summary</a>"
        for r in evaluation.products { h += "<a href=\"#p-\(e(r.id))\">\(e(r.chineseName))</a>" }
        if informationValues != nil { h += "<a href=\"#iv\">IV</a>" }
        if stability != nil { h += "<a href=\"#psi\">PSI</a>" }
        if plan != nil { h += "<a href=\"#plan\">规划 plan</a>" }
        if track != nil { h += "<a href=\"#track\">跟踪 track</a>" }
        h += "</nav>"
        h += summary()
        for (r, gains) in zip(evaluation.products, evaluation.gains(bands: bands)) { h += product(r, gains: gains) }
        if let informationValues { h += informationValue(informationValues) }
        if let stability { h += stabilitySection(stability) }
        if let plan { h += planSection(plan) }
        if let track { h += trackSection(track) }
        h += "<p class=\"meta\">WOE = ln(成功占比 / 失败占比)；IV = Σ (成功占比 − 失败占比) × WOE。PSI = Σ (新占比 − 基准占比) × ln(新占比 / 基准占比)：&lt; 0.1 稳定，0.1–0.25 关注，&gt; 0.25 需处理。</p>"
        return h + "</body></html>\n"
    }

    func summary() -> String {
        var h = "<h2 id=\"summary\">指标汇总 Summary</h2><table><tr><th class=\"l\">产品 offer</th><th>行 rows</th><th>成功率 success</th><th>AUC</th><th>Gini</th><th>KS</th><th>Brier</th><th>ECE</th><th>log loss</th></tr>"
        for r in evaluation.products {
            let m = r.metrics
            h += "<tr><td class=\"l\">\(e(r.chineseName)) <small>\(e(r.id))</small></td><td>\(m.count)</td><td>\(pct(m.positiveRate))</td><td>\(f(m.auc))</td>"
                + "<td>\(f(2 * m.auc - 1))</td><td>\(f(m.ks))</td><td>\(f(m.brier))</td><td>\(f(m.expectedCalibrationError))</td><td>\(f(m.logLoss))</td></tr>"
        }
        h += "</table><p class=\"meta\">每个产品计入有标签且未被资格规则排除的行 (rows labelled and not ruled out by the offer's rule)。</p>"
        return h
    }

    func product(_ r: ModelEvaluation.ProductReport, gains: GainsTable) -> String {
        var h = "<section class=\"product\"><h2 id=\"p-\(e(r.id))\">\(e(r.chineseName)) <small>\(e(r.id))</small></h2>"
        let points = r.logits.map(model.scaling.points(logit:))
        let successes = r.outcomes.reduce(0, +)
        guard successes > 0, successes < Double(r.outcomes.count) else {
            return h + "<p>标签只有一种结果，无法画曲线 (only one outcome among \(r.outcomes.count) labelled rows: no curves).</p></section>"
        }
        h += "<div class=\"charts\">"
        // ROC.
        let roc = Curves.roc(scores: points, outcomes: r.outcomes)
        var chart = SVGChart(id: "roc-\(r.id)", title: "ROC 曲线 ROC curve", xLabel: "假阳性率 false positive rate", yLabel: "真阳性率 true positive rate", x: 0...1, y: 0...1)
        chart.series = [.init(name: "", color: "#999", kind: .dashed, points: [(0, 0), (1, 1)]),
                        .init(name: "模型 model", color: SVGChart.palette[0], kind: .line, points: Curves.thinned(roc, to: 400))]
        chart.note = "AUC \(f(r.metrics.auc))"
        h += chart.render()
        // KS.
        let shares = Curves.cumulativeShares(scores: points, outcomes: r.outcomes)
        let gaps = shares.scores.indices.map { abs(shares.failures[$0] - shares.successes[$0]) }
        let at = gaps.indices.max { gaps[$0] < gaps[$1] } ?? 0
        let lo = shares.scores.first ?? 0, hi = shares.scores.last ?? 1
        chart = SVGChart(id: "ks-\(r.id)", title: "KS 曲线 KS curve", xLabel: "分数 points", yLabel: "累计占比 cumulative share", x: lo...hi, y: 0...1)
        chart.series = [.init(name: "失败 failures", color: SVGChart.palette[1], kind: .line, points: Curves.thinned(shares.scores.indices.map { (shares.scores[$0], shares.failures[$0]) }, to: 400)),
                        .init(name: "成功 successes", color: SVGChart.palette[0], kind: .line, points: Curves.thinned(shares.scores.indices.map { (shares.scores[$0], shares.successes[$0]) }, to: 400))]
        chart.legendAtLeft = true
        if !shares.scores.isEmpty { chart.rules = [.init(value: shares.scores[at], vertical: true, label: "KS \(f(gaps[at])) @ \(f(shares.scores[at], 0))", color: "#c62828")] }
        h += chart.render()
        // Calibration.
        let deciles = r.metrics.calibration
        chart = SVGChart(id: "calibration-\(r.id)", title: "校准 calibration (十分位 deciles)", xLabel: "预测概率 predicted", yLabel: "实际成功率 observed", x: 0...1, y: 0...1)
        chart.series = [.init(name: "", color: "#999", kind: .dashed, points: [(0, 0), (1, 1)]),
                        .init(name: "模型 model", color: SVGChart.palette[2], kind: .markers, points: deciles.map { ($0.meanPredicted, $0.observedRate) })]
        chart.note = "ECE \(f(r.metrics.expectedCalibrationError))"
        h += chart.render()
        // Points of successes and failures.
        let bins = 20, range = lo...max(hi, lo + 1), width = (range.upperBound - range.lowerBound) / Double(bins)
        let s = Curves.histogram(zip(points, r.outcomes).filter { $0.1 == 1 }.map(\.0), range: range, bins: bins)
        let fl = Curves.histogram(zip(points, r.outcomes).filter { $0.1 != 1 }.map(\.0), range: range, bins: bins)
        let centres = (0..<bins).map { range.lowerBound + (Double($0) + 0.5) * width }
        chart = SVGChart(id: "distribution-\(r.id)", title: "分数分布 points distribution", xLabel: "分数 points", yLabel: "占比 share", x: range, y: 0...max((s + fl).max() ?? 0, 0.01) * 1.1)
        chart.series = [.init(name: "成功 successes", color: SVGChart.palette[0], kind: .bars(width: width * 0.9), points: zip(centres, s).map { ($0, $1) }),
                        .init(name: "失败 failures", color: SVGChart.palette[1], kind: .bars(width: width * 0.9), points: zip(centres, fl).map { ($0, $1) })]
        h += chart.render()
        h += "</div>"
        // Gains table.
        h += "<h3>策略表 gains table (分数段从高到低；累计 = 批准至该段 cumulative: approving every band down to this one)</h3>"
        h += "<table class=\"gains\" id=\"gains-\(e(r.id))\"><tr><th class=\"l\">分数段 points</th><th>行 rows</th><th>成功 successes</th><th>成功率 rate</th><th>提升 lift</th>"
            + "<th>批准率 approval</th><th>累计成功率 cum. rate</th><th>成功捕获 successes captured</th><th>失败捕获 failures captured</th><th>KS</th></tr>"
        for b in gains.bands {
            h += "<tr><td class=\"l\">\(e(GainsTable.label(b)))</td><td>\(b.rows)</td><td>\(f(b.successes, 0))</td><td>\(pct(b.successRate))</td><td>\(f(b.lift, 2))</td>"
                + "<td>\(pct(b.approvalRate))</td><td>\(pct(b.cumulativeSuccessRate))</td><td>\(pct(b.successesCaptured))</td><td>\(pct(b.failuresCaptured))</td><td>\(f(b.ks))</td></tr>"
        }
        return h + "</table></section>"
    }

    func informationValue(_ document: BinningDocument) -> String {
        var h = "<h2 id=\"iv\">信息值排名 information value (IV) by feature</h2><p class=\"meta\">分箱拟合于 bins fitted on \(e(document.source))；&lt; 0.02 无预测力，0.02–0.1 弱，0.1–0.3 中，0.3–0.5 强，&gt; 0.5 过强需查泄漏。</p><div class=\"charts\">"
        for (p, product) in document.products.enumerated() {
            let top = document.tables[p].prefix(15)
            let n = document.labelled(p)
            let warning = n < BinningDocument.fewLabels ? "，样本少 IV 偏高 few labels" : ""
            h += SVGBarList(id: "iv-\(product.id)", title: "\(product.chineseName) \(product.id)：IV 前 \(top.count)（\(Fixed.exact(n, digits: 0)) 行有标签\(warning)）",
                            items: top.map { (label: $0.chinese, value: $0.informationValue) },
                            rules: [(0.02, "0.02", "#999"), (0.1, "0.1", "#b8860b"), (0.3, "0.3", "#2e7d32")]).render()
        }
        return h + "</div>"
    }

    func stabilitySection(_ s: PopulationStability) -> String {
        var h = "<h2 id=\"psi\">人群稳定性 population stability</h2><p class=\"meta\">基准 baseline \(e(s.baseline)) (\(s.baselineRows) 行) → 新数据 new \(e(s.data)) (\(s.dataRows) 行)；无漂移水平 no-drift level = 同一人群两份样本的平均 PSI。</p><div class=\"charts\">"
        let rules: [(value: Double, label: String, color: String)] = [(0.1, "0.1", "#b8860b"), (0.25, "0.25", "#c62828")]
        h += SVGBarList(id: "psi-scores", title: "各产品分数 PSI (points by offer)", items: s.scores.map { (label: $0.chinese, value: $0.index.isFinite ? $0.index : 0) },
                        rules: rules, color: SVGChart.palette[3]).render()
        h += SVGBarList(id: "csi-features", title: "特征 CSI 前 15 (features, largest first)", items: s.features.prefix(15).map { (label: $0.chinese, value: $0.index.isFinite ? $0.index : 0) },
                        rules: rules, color: SVGChart.palette[4]).render()
        h += "</div><table><tr><th class=\"l\">产品 offer</th><th>基准行 rows base</th><th>新行 rows new</th><th>基准均分 mean base</th><th>新均分 mean new</th><th>PSI</th><th>无漂移水平 no-drift</th><th class=\"l\">判断 band</th></tr>"
        for x in s.scores {
            h += "<tr><td class=\"l\">\(e(x.chinese)) <small>\(e(x.id))</small></td><td>\(f(x.expected.reduce(0, +), 0))</td><td>\(f(x.actual.reduce(0, +), 0))</td>"
                + "<td>\(f(x.meanExpected, 1))</td><td>\(f(x.meanActual, 1))</td><td>\(f(x.index))</td><td>\(f(x.noDriftLevel))</td>"
                + "<td class=\"l \(x.band.rawValue)\">\(x.band.chinese) \(x.band.rawValue)\(x.isNoisy ? "（样本少 few rows）" : "")</td></tr>"
        }
        return h + "</table>"
    }

    func planSection(_ d: PlanDocument) -> String {
        let r = d.result
        var h = "<h2 id=\"plan\">规划 plan: 名额与目标 quotas and targets</h2><p class=\"meta\">规划 plan \(e(d.planPath)) · 企业 \(r.rows) 家 firms · 每家企业最多 \(r.maxProgrammesPerFirm) 个项目 programmes per firm · 最优值 objective \(f(r.objective, 3))。按概率的项目：预计成功数与 90% 区间（Poisson-binomial 精确分布）；目标：全池每家企业取目标产品的最高概率。\(e(PlanDocument.horizonNote))</p>"
        var items: [(label: String, low: Double, expected: Double, high: Double, target: Double?)] = []
        for p in r.programmes {
            guard let s = p.successes else { continue }
            items.append((label: "\(p.spec.chinese)（入选 \(p.selected.count)）", low: Double(s.quantile(0.05)), expected: s.mean, high: Double(s.quantile(0.95)), target: nil))
        }
        for t in r.targets {
            let s = t.successes
            items.append((label: "目标 \(t.spec.chinese)", low: Double(s.quantile(0.05)), expected: s.mean, high: Double(s.quantile(0.95)), target: Double(t.spec.target)))
        }
        if !items.isEmpty {
            h += "<div class=\"charts\">" + SVGIntervalList(id: "plan-forecast", title: "预计成功数与目标 expected successes, 90% interval and target", items: items).render() + "</div>"
        }
        h += "<table><tr><th class=\"l\">项目 programme</th><th>名额 capacity</th><th>符合条件 qualifying</th><th>入选 chosen</th><th>预计 expected</th><th>90% 区间 interval</th><th class=\"l\">各市 cities</th></tr>"
        for p in r.programmes {
            let s = p.successes
            h += "<tr><td class=\"l\">\(e(p.spec.chinese)) <small>\(e(p.spec.id))</small></td><td>\(p.spec.capacity)</td><td>\(p.candidates)</td><td>\(p.selected.count)</td>"
                + "<td>\(s.map { f($0.mean, 1) } ?? "差距合计 gap " + f(p.total, 2))</td><td>\(s.map { "\($0.quantile(0.05))–\($0.quantile(0.95))" } ?? "-")</td>"
                + "<td class=\"l\">\(e(p.cities.prefix(6).map { "\($0.city) \($0.firms)" }.joined(separator: "，")))</td></tr>"
        }
        h += "</table><table><tr><th class=\"l\">目标 target</th><th>目标数 target</th><th>有概率企业 firms</th><th>预计 expected</th><th>90% 区间 interval</th><th>达到的概率 P(reach)</th></tr>"
        for t in r.targets {
            let s = t.successes, interval = s.interval(0.9)
            h += "<tr><td class=\"l\">\(e(t.spec.chinese)) <small>\(e(t.spec.id))</small></td><td>\(t.spec.target)</td><td>\(t.firms)</td><td>\(f(s.mean, 1))</td>"
                + "<td>\(interval.lowerBound)–\(interval.upperBound)</td><td>\(pct(t.probabilityReached))</td></tr>"
        }
        h += "</table>"
        if let note = d.probabilityNote { h += "<p class=\"meta\">\(e(note))</p>" }
        return h
    }

    func trackSection(_ d: TrackDocument) -> String {
        let c = d.coverage
        var h = "<h2 id=\"track\">跟踪 track: 回测 backtest by year</h2><p class=\"meta\">面板 panel \(e(d.panelPath)) · \(d.track.rows) 行 rows · "
            + "实际成功数落在 90% 区间内 observed inside the 90% interval: \(c.inside)/\(c.total)。\(e(TrackDocument.horizonNote))</p><div class=\"charts\">"
        for year in d.track.fiscalYears {
            // Relative to the expected count (100%), so that 30 listings and 3,000 loans read alike; capped at 300%.
            let shown = d.backtests.filter { $0.year == year && $0.successes.mean > 0 }
            let items = shown.map { b in
                let scale = 100 / b.successes.mean
                return (label: d.catalog.offers[d.track.offers[b.offer]].chineseName, low: min(300, Double(b.interval.lowerBound) * scale), expected: 100.0,
                        high: min(300, Double(b.interval.upperBound) * scale), target: Optional(min(300, Double(b.observed) * scale)))
            }
            guard !items.isEmpty else { continue }
            var chart = SVGIntervalList(id: "track-\(year)", title: "\(year) 年：实际成功数占预计的百分比 observed as % of expected", items: items,
                                        legend: "红线 observed 实际 · 条 bar 90% 区间 interval · 竖线 100% = 预计 expected")
            chart.captions = shown.map { "实际 \($0.observed) / 预计 \(Fixed.exact($0.successes.mean, digits: 1))（\($0.interval.lowerBound)–\($0.interval.upperBound)）" }
            h += chart.render()
        }
        h += "</div><table><tr><th class=\"l\">年 year</th><th class=\"l\">产品 offer</th><th>申请 applicants</th><th>实际 observed</th><th>预计 expected</th><th>90% 区间</th><th>AUC</th><th>Brier</th></tr>"
        for b in d.backtests {
            h += "<tr><td class=\"l\">\(b.year)</td><td class=\"l\">\(e(d.catalog.offers[d.track.offers[b.offer]].chineseName))</td><td>\(b.applicants)</td><td>\(b.observed)</td>"
                + "<td>\(f(b.successes.mean, 1))</td><td class=\"\(b.inside ? "" : "act")\">\(b.interval.lowerBound)–\(b.interval.upperBound)</td><td>\(f(b.metrics?.auc))</td><td>\(f(b.metrics?.brier, 4))</td></tr>"
        }
        h += "</table>"
        if let note = d.probabilityNote { h += "<p class=\"meta\">\(e(note))</p>" }
        return h
    }
}
