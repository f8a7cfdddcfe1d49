import FinRec
import Foundation
import Testing

@Suite("Binning: optimal monotone bins, WOE and IV")
struct BinningTests {
    /// Fixtures/binning: 3,000 values (missing, special 0 and -1) with outcomes, and optbinning's
    /// binning table for fixed cut points.
    static let reference = try! JSONValue.parse(Array(try! Data(contentsOf: URL(fileURLWithPath: repositoryRoot() + "/Tests/FinRecTests/Fixtures/binning/reference.json"))))

    static func fixture() -> [(value: Double?, label: Double)] {
        let text = try! String(contentsOfFile: repositoryRoot() + "/Tests/FinRecTests/Fixtures/binning/data.csv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return (cells[0].isEmpty ? nil : Double(cells[0])!, Double(cells[1])!)
        }
    }

    static func numbers(_ v: JSONValue?) -> [Double] {
        guard case .array(let items) = v else { return [] }
        return items.compactMap { if case .number(let x) = $0 { x } else { nil } }
    }

    @Test("Counts, event rates, WOE and IV equal optbinning's table for the same cut points (WOE of opposite sign)")
    func matchesOptbinning() throws {
        guard case .object(let root) = Self.reference, case .array(let rows) = root["bins"] else { Issue.record("bad fixture"); return }
        let bins = FittedBins(cuts: Self.numbers(root["splits"]), special: Self.numbers(root["special"]))
        var counts = BinCounts(slots: bins.slotCount, products: 1)
        for (value, label) in Self.fixture() {
            let slot = bins.slot(value)
            counts.rows[slot] += 1
            if label == 1 { counts.events[0][slot] += 1 } else { counts.nonEvents[0][slot] += 1 }
        }
        #expect(rows.count == bins.slotCount)
        let e = counts.events[0].reduce(0, +), n = counts.nonEvents[0].reduce(0, +)
        for (k, row) in rows.enumerated() {
            guard case .object(let o) = row, case .number(let count)? = o["count"], case .number(let events)? = o["events"],
                  case .number(let rate)? = o["event_rate"], case .number(let woe)? = o["woe"] else { Issue.record("bad row \(k)"); continue }
            #expect(counts.rows[k] == count, "rows of \(bins.label(slot: k))")
            #expect(counts.events[0][k] == events, "events of \(bins.label(slot: k))")
            #expect(abs(counts.events[0][k] / counts.rows[k] - rate) < 1e-12)
            let ours = WeightOfEvidence.woe(events: counts.events[0][k], nonEvents: counts.nonEvents[0][k], totalEvents: e, totalNonEvents: n)
            #expect(abs(ours + woe) < 1e-9, "WOE of \(bins.label(slot: k)): \(ours) vs optbinning \(woe)")
        }
        guard case .number(let iv)? = root["iv"] else { Issue.record("no IV"); return }
        #expect(abs(WeightOfEvidence.informationValue(events: counts.events[0], nonEvents: counts.nonEvents[0]) - iv) < 1e-9)
        // Slots: the cut value itself opens its bin; special values and missing have their own.
        #expect(bins.slot(8) == 1 && bins.slot(7.99) == 0 && bins.slot(1e9) == 5 && bins.slot(0) == 6 && bins.slot(-1) == 7 && bins.slot(nil) == 8)
        #expect(bins.label(slot: 0) == "< 8" && bins.label(slot: 1) == "[8, 15)" && bins.label(slot: 5) == "≥ 70" && bins.label(slot: 6) == "= 0")
    }

    /// The summed IV of a partition into `groups`, or -∞ when a constraint fails.
    static func value(of groups: [Range<Int>], rows: [Double], events: [[Double]], nonEvents: [[Double]], trends: [WeightSign], minRows: Double) -> Double {
        guard groups.allSatisfy({ rows[$0].reduce(0, +) >= minRows }) else { return -.infinity }
        var value = 0.0
        for p in events.indices {
            let e = events[p].reduce(0, +), n = nonEvents[p].reduce(0, +)
            var rates: [Double] = []
            for g in groups {
                let ge = events[p][g].reduce(0, +), gn = nonEvents[p][g].reduce(0, +)
                value += WeightOfEvidence.ivTerm(events: ge, nonEvents: gn, totalEvents: e, totalNonEvents: n)
                if ge + gn > 0 { rates.append(ge / (ge + gn)) }
            }
            let ordered = switch trends[p] {
            case .nonNegative: zip(rates, rates.dropFirst()).allSatisfy { $0 <= $1 }
            case .nonPositive: zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }
            case .free: true
            }
            if !ordered { return -.infinity }
        }
        return value
    }

    static func groups(starts: [Int], m: Int) -> [Range<Int>] {
        let bounds = [0] + starts + [m]
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }

    /// The best over every partition of `m` pre-bins into consecutive groups (by the bit mask of
    /// the groups' starts).
    static func bruteForce(rows: [Double], events: [[Double]], nonEvents: [[Double]], trends: [WeightSign], maxBins: Int, minRows: Double) -> Double {
        let m = rows.count
        var best = -Double.infinity
        for mask in 0..<(1 << (m - 1)) {
            let starts = (1..<m).filter { mask & (1 << ($0 - 1)) != 0 }
            guard starts.count + 1 <= maxBins else { continue }
            best = max(best, value(of: groups(starts: starts, m: m), rows: rows, events: events, nonEvents: nonEvents, trends: trends, minRows: minRows))
        }
        return best
    }

    @Test("The dynamic programme finds the best partition that every constraint allows (brute force over all partitions)")
    func optimalAgainstBruteForce() {
        var rng = SplitMix64(seed: 99)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var constrainedCases = 0
        for _ in 0..<300 {
            let m = 2 + Int(rng.next() % 10), products = 1 + Int(rng.next() % 3)
            let rows = (0..<m).map { _ in Double(5 + rng.next() % 60) }
            // Outcomes with a rising, falling or bumpy rate, so the trends bind in some cases.
            var events: [[Double]] = [], nonEvents: [[Double]] = []
            for _ in 0..<products {
                let slope = uniform() * 2 - 1
                let e = rows.enumerated().map { i, r in (r * min(0.95, max(0.05, 0.5 + slope * (Double(i) / Double(m) - 0.5) + 0.2 * (uniform() - 0.5)))).rounded() }
                events.append(e)
                nonEvents.append(zip(rows, e).map { $0 - $1 })
            }
            let trends = (0..<products).map { _ in [WeightSign.nonNegative, .nonPositive, .free][Int(rng.next() % 3)] }
            let maxBins = 2 + Int(rng.next() % 6)
            let minRows = uniform() < 0.3 ? 0 : rows.reduce(0, +) * uniform() * 0.3
            let expected = Self.bruteForce(rows: rows, events: events, nonEvents: nonEvents, trends: trends, maxBins: maxBins, minRows: minRows)
            let (starts, value) = OptimalBinning.merge(rows: rows, events: events, nonEvents: nonEvents, trends: trends, maxBins: maxBins, minRows: minRows)
            if expected.isFinite {
                #expect(abs(value - expected) <= 1e-9 * max(1, expected), "m \(m), trends \(trends): \(value) vs brute force \(expected)")
                // The returned partition is feasible and has that value.
                let check = Self.value(of: Self.groups(starts: starts, m: m), rows: rows, events: events, nonEvents: nonEvents, trends: trends, minRows: minRows)
                #expect(abs(check - value) <= 1e-9 * max(1, value), "the partition \(starts) is feasible with its value")
                if trends.contains(where: { $0 != .free }) && starts.count + 1 < min(m, maxBins) { constrainedCases += 1 }
            } else {
                #expect(starts.isEmpty, "no feasible split: one bin")
            }
        }
        #expect(constrainedCases > 30, "the constraints bound in \(constrainedCases) cases")
    }

    @Test("Sample weights: weight 2 on every row is every row twice; weights on one class leave WOE and IV")
    func weights() {
        let data = Self.fixture()
        let values = data.map { $0.value ?? .nan }, labels = data.map(\.label)
        let spec = BinningSpec()
        let plain = values.withUnsafeBufferPointer { OptimalBinning.fit(column: $0, labels: labels, spec: spec) }
        let doubled = values.withUnsafeBufferPointer { OptimalBinning.fit(column: $0, labels: labels, weights: Array(repeating: 2, count: labels.count), spec: spec) }
        let twice = (values + values).withUnsafeBufferPointer { OptimalBinning.fit(column: $0, labels: labels + labels, spec: spec) }
        #expect(plain.cuts == doubled.cuts && doubled.counts == twice.counts)
        #expect(doubled.counts!.rows == plain.counts!.rows.map { 2 * $0 })
        // Failures weighted 3 on fixed cuts: each bin's failures triple, and WOE and IV, which
        // compare shares within each class, do not move.
        var manual = BinningSpec()
        manual.cuts = [8, 15, 25, 40, 70]
        let fixed = values.withUnsafeBufferPointer { OptimalBinning.fit(column: $0, labels: labels, spec: manual) }
        let weighted = values.withUnsafeBufferPointer { OptimalBinning.fit(column: $0, labels: labels, weights: labels.map { $0 == 1 ? 1 : 3 }, spec: manual) }
        let a = fixed.counts!, b = weighted.counts!
        func woe(_ c: BinCounts, _ k: Int) -> Double {
            WeightOfEvidence.woe(events: c.events[0][k], nonEvents: c.nonEvents[0][k], totalEvents: c.events[0].reduce(0, +), totalNonEvents: c.nonEvents[0].reduce(0, +))
        }
        for k in 0..<fixed.slotCount where a.events[0][k] > 0 && a.nonEvents[0][k] > 0 {
            #expect(b.nonEvents[0][k] == 3 * a.nonEvents[0][k] && b.events[0][k] == a.events[0][k])
            #expect(abs(woe(b, k) - woe(a, k)) < 1e-12, "WOE compares shares within each class: class weights leave it")
        }
        #expect(abs(WeightOfEvidence.informationValue(events: a.events[0], nonEvents: a.nonEvents[0])
                    - WeightOfEvidence.informationValue(events: b.events[0], nonEvents: b.nonEvents[0])) < 1e-12)
    }

    @Test("Quantile pre-bins: distinct cuts, none at the minimum, about equal shares on spread data")
    func quantileCuts() {
        let values = (0..<10_000).map { Double($0 % 1000) }.sorted()
        let cuts = OptimalBinning.quantileCuts(sorted: values, count: 20)
        #expect(cuts.count == 19 && zip(cuts, cuts.dropFirst()).allSatisfy { $0 < $1 } && cuts[0] > 0)
        let bins = FittedBins(cuts: cuts, special: [])
        var shares = [Double](repeating: 0, count: bins.ordinaryBins)
        for v in values { shares[bins.slot(v)] += 1 / Double(values.count) }
        #expect(shares.allSatisfy { abs($0 - 0.05) < 0.002 })
        // Heavy ties (60 % zeros) collapse the lower quantiles into one bin.
        let tied = ([Double](repeating: 0, count: 6_000) + (1...4_000).map(Double.init)).sorted()
        let tiedCuts = OptimalBinning.quantileCuts(sorted: tied, count: 10)
        #expect(tiedCuts.first! > 0 && tiedCuts.count == 4)
        #expect(OptimalBinning.quantileCuts(sorted: [3, 3, 3], count: 10).isEmpty)
    }
}

@Suite("Binned features in a trained model")
struct BinnedModelTests {
    /// The shipped spec with three features binned: revenue (optimal, auto), the debt ratio
    /// (manual cuts) and the patents' remaining years (optimal, 0 special); their directions stay.
    static func binnedSpec() throws -> FeatureSpec {
        let path = repositoryRoot() + "/Models/features.json"
        guard case .object(var root) = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))),
              case .array(let features)? = root["features"] else { preconditionFailure("the shipped spec is an object with features") }
        let binnings: [String: JSONValue] = [
            "log_revenue": .object(JSONObject([("method", .string("optimal")), ("max_bins", .number(6))])),
            "debt_ratio": .object(JSONObject([("method", .string("manual")), ("cuts", .array([.number(0.3), .number(0.5), .number(0.7)]))])),
            "patent_remaining_years": .object(JSONObject([("special", .array([.number(0)]))])),
        ]
        root["features"] = .array(features.map { feature in
            guard case .object(var f) = feature, case .string(let name)? = f["name"], let binning = binnings[name] else { return feature }
            for key in ["log", "clip", "missing_indicator"] { f[key] = nil }
            f["binning"] = binning
            return .object(f)
        })
        return try FeatureSpec.decode(.object(root), path: path, schema: EnterpriseSchema.schema)
    }

    /// A model of ``binnedSpec()`` trained (C = 0.1) on `count` generated firms, and their file.
    static func trainedModel(seed: UInt64, count: Int) throws -> (model: TrainedModel, data: String) {
        let data = temporaryFolder() + "/binned-pool-\(seed).csv"
        try SyntheticDataset(generator: EnterpriseGenerator(seed: seed), withTruth: false).write(count: count, to: data)
        var pipeline = TrainingPipeline(spec: try binnedSpec(), catalog: shippedCatalog, asOf: assessmentDay)
        pipeline.options.c = 0.1
        return (try pipeline.train(path: data).0, data)
    }

    @Test("Bins follow each product's trend, points rise or fall with it, missing scores no better than any bin, and the file keeps it all")
    func trainedBins() throws {
        let (model, data) = try Self.trainedModel(seed: 57, count: 6_000)
        let fitted = model.features
        let binned = fitted.bins.indices.filter { fitted.bins[$0] != nil }
        #expect(binned.map { fitted.spec.features[$0].name } == ["log_revenue", "debt_ratio", "patent_remaining_years"])
        #expect(fitted.bins[binned[1]]!.cuts == [0.3, 0.5, 0.7], "manual cuts are kept")
        for j in binned {
            let bins = fitted.bins[j]!, feature = fitted.spec.features[j]
            #expect(bins.cuts.count + 1 <= (feature.binning?.cuts == nil ? 6 : 4))
            #expect(bins.counts!.rows.reduce(0, +) == 6_000)
            for (p, product) in model.linear.products.enumerated() {
                let offer = shippedCatalog.offers.first { $0.id == product.id }!
                // The expert direction, where there is one, is the trend.
                if let sign = feature.direction?.sign(offer: offer.id, kind: offer.kind.id), sign != .free {
                    #expect(bins.trends[p] == sign, "\(feature.name) × \(product.id)")
                }
                let points = fitted.slotContributions(feature: j, weights: model.linear.products[p].weights)
                let ordinary = points[0..<bins.ordinaryBins]
                switch bins.trends[p] {
                case .nonNegative: #expect(zip(ordinary, ordinary.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 }, "\(feature.name) × \(product.id): \(ordinary)")
                case .nonPositive: #expect(zip(ordinary, ordinary.dropFirst()).allSatisfy { $0 >= $1 - 1e-12 }, "\(feature.name) × \(product.id): \(ordinary)")
                case .free: break
                }
                #expect(points.last! <= points.dropLast().min()! + 1e-12, "missing \(feature.name) never beats a bin for \(product.id)")
            }
        }
        // Round trip: the same bins, columns and logits.
        let file = temporaryFolder() + "/binned-model.json"
        try model.write(to: file, overwrite: false)
        let back = try TrainedModel.read(from: file)
        #expect(back.features.bins == fitted.bins)
        #expect(back.features.columnNames == fitted.columnNames)
        let chunk = try #require(try CSVRecordReader(path: data, schema: EnterpriseSchema.schema).nextChunk())
        let parameters = ["as_of_date": Double(assessmentDay)]
        #expect(back.features.apply(chunk, parameters: parameters) == fitted.apply(chunk, parameters: parameters))
    }

    @Test("Binning specs that cannot work are refused with the field and what to do")
    func refusals() throws {
        func spec(_ feature: String) -> String {
            #"{"format": "finrec-features", "format_version": 1, "features": [{"name": "r", "zh": "营业收入", "en": "Revenue", "expr": "revenue_y1", "#
                + feature + "}]}"
        }
        let cases: [(String, String)] = [
            (#""log": true, "binning": {}"#, "remove \"log\""),
            (#""binning": {"method": "manual"}"#, "needs \"cuts\""),
            (#""binning": {"cuts": [5, 1], "method": "manual"}"#, "strictly increasing"),
            (#""binning": {"cuts": [1, 5]}"#, "\"method\": \"manual\""),
            (#""binning": {"monotone": "up"}"#, "monotone is"),
            (#""binning": {"max_bins": 1}"#, "max_bins"),
            (#""binning": {"min_bin_share": 0.6}"#, "min_bin_share"),
            (#""binning": {"special": [0, 0]}"#, "appears twice"),
            (#""binning": {"bins": 5}"#, "unknown"),
        ]
        for (feature, message) in cases {
            let path = temporaryFolder() + "/spec.json"
            try spec(feature).write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                _ = try FeatureSpec.read(path: path)
            } throws: { error in
                "\(error)".contains(message) && "\(error)".contains("binning")
            }
        }
    }
}
