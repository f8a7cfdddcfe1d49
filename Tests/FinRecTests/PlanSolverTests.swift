import FinRec
import Testing

@Suite("Plans under quotas: the exact choice against brute force")
struct PlanSolverTests {
    static let scorer = try! OfferScorer(model: try! TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json"),
                                         asOf: CivilDate(year: 2026, month: 6, day: 30)!.daysSinceEpoch)

    /// A random small plan: 2 or 3 programmes (some by gap), capacities 1–3, a city quota or
    /// two, a per-firm limit of 1 or 2; firms in three cities, each qualifying for some programmes.
    struct Case {
        let spec: PlanSpec
        /// Per programme, per firm: its value, nil when it does not qualify.
        let values: [[Double?]]
        let cities: [String]
    }

    static func randomCase(_ number: Int) throws -> Case {
        var rng = SplitMix64(seed: 97, index: UInt64(number))
        let programmes = 2 + Int(rng.next() % 2), firms = 4 + Int(rng.next() % 3)
        let cityNames = ["济南", "青岛", "潍坊"]
        var entries: [String] = []
        for j in 0..<programmes {
            let capacity = 1 + Int(rng.next() % 3)
            var quotas: [String] = []
            if rng.uniform() < 0.6 { quotas.append("\"济南\": {\"min\": \(rng.next() % 2)}") }
            if rng.uniform() < 0.5 { quotas.append("\"青岛\": {\"max\": \(rng.next() % 3)}") }
            if rng.uniform() < 0.3 { quotas.append("\"潍坊\": {\"min\": 1, \"max\": 1}") }
            let gap = j > 0 && rng.uniform() < 0.35
            entries.append("""
                {"id": "p\(j)", "name_zh": "项目\(j)", "capacity": \(capacity), "offers": ["\(gap ? "neeq" : "bse")"]\
                \(gap ? ", \"by\": \"gap\"" : ""), "cities": {\(quotas.joined(separator: ", "))}}
                """)
        }
        let perFirm = 1 + Int(rng.next() % 2)
        let text = "{\"format\": \"finrec-plan\", \"format_version\": 1, \"max_programmes_per_firm\": \(perFirm), \"programmes\": [\(entries.joined(separator: ", "))]}"
        let spec = try PlanSpec(json: try JSONValue.parse(text), scorer: scorer)
        let cities = (0..<firms).map { _ in cityNames[Int(rng.next() % 3)] }
        let values: [[Double?]] = spec.programmes.map { p in
            (0..<firms).map { _ in
                guard rng.uniform() < 0.75 else { return nil }
                // Ties on purpose: values on a coarse grid.
                return p.measure == .probability ? Double(1 + rng.next() % 9) / 10 : Double(rng.next() % 4) * 0.5
            }
        }
        return Case(spec: spec, values: values, cities: cities)
    }

    /// The best objective over every assignment (each firm in a set of at most the per-firm
    /// limit of programmes it qualifies for), nil when none meets every quota.
    static func bruteForce(_ c: Case) -> Double? {
        let programmes = c.spec.programmes, firms = c.cities.count
        var best: Double?
        var choice = [Int](repeating: 0, count: firms)  // a bit set of programmes per firm
        let subsets = 1 << programmes.count
        func check() {
            var total = 0.0
            for (j, p) in programmes.enumerated() {
                var chosen = 0
                var perCity: [String: Int] = [:]
                for f in 0..<firms where choice[f] & (1 << j) != 0 {
                    guard let v = c.values[j][f] else { return }
                    chosen += 1
                    perCity[c.cities[f], default: 0] += 1
                    total += p.measure == .probability ? v : -v
                }
                guard chosen == p.capacity else { return }
                for q in p.cities {
                    let n = perCity[q.city, default: 0]
                    if n < q.min || n > (q.max ?? Int.max) { return }
                }
            }
            if best.map({ total > $0 }) ?? true { best = total }
        }
        func assign(_ f: Int) {
            if f == firms { check(); return }
            for s in 0..<subsets where s.nonzeroBitCount <= c.spec.maxProgrammesPerFirm {
                choice[f] = s
                assign(f + 1)
            }
        }
        assign(0)
        return best
    }

    static func collector(_ c: Case) -> PlanCollector {
        var collector = PlanCollector(spec: c.spec)
        for (j, _) in c.spec.programmes.enumerated() {
            for f in c.cities.indices {
                guard let v = c.values[j][f] else { continue }
                collector.consider(PlanCandidate(enterpriseID: "91370000000000\(String(f).count == 1 ? "000" : "00")\(f)X", name: nil,
                                                 city: c.cities[f], line: f + 2, sequence: f, value: v, offer: c.spec.programmes[j].offers[0],
                                                 probability: nil), programme: j) { nil }
            }
        }
        return collector
    }

    @Test("On 300 random small plans the optimum equals brute force's (to 1e-9), and a plan brute force cannot meet is refused", arguments: 0..<300)
    func againstBruteForce(_ number: Int) throws {
        let c = try Self.randomCase(number)
        let expected = Self.bruteForce(c)
        let result: PlanResult
        do {
            result = try PlanSolver.solve(Self.collector(c))
        } catch {
            #expect(expected == nil, "refused (\(error)) but brute force meets the plan with \(expected ?? .nan)")
            return
        }
        let best = try #require(expected, "solved a plan brute force cannot meet")
        #expect(abs(result.objective - best) < 1e-9)
        // The choice itself meets every quota and adds up to the objective.
        var programmesOf: [Int: Int] = [:]
        var total = 0.0
        for (j, p) in result.programmes.enumerated() {
            #expect(p.selected.count == c.spec.programmes[j].capacity)
            for s in p.selected {
                #expect(c.values[j][s.sequence] == s.value)
                programmesOf[s.sequence, default: 0] += 1
                total += p.spec.measure == .probability ? s.value : -s.value
            }
            for q in p.spec.cities {
                let n = p.selected.filter { $0.city == q.city }.count
                #expect(n >= q.min && n <= (q.max ?? Int.max), "\(q.city) \(n)")
            }
        }
        #expect(programmesOf.values.allSatisfy { $0 <= c.spec.maxProgrammesPerFirm })
        #expect(abs(total - result.objective) < 1e-12)
    }

    @Test("A greedy choice would miss: the optimum gives the contested firm to the programme that needs it")
    func contestedFirm() throws {
        // Firm 0 is best for both programmes; p1 has no one else in 济南, whose minimum is 1.
        let text = """
            {"format": "finrec-plan", "format_version": 1, "programmes": [
              {"id": "a", "name_zh": "甲", "capacity": 1, "offers": ["bse"]},
              {"id": "b", "name_zh": "乙", "capacity": 1, "offers": ["star"], "cities": {"济南": {"min": 1}}}]}
            """
        let spec = try PlanSpec(json: try JSONValue.parse(text), scorer: Self.scorer)
        var collector = PlanCollector(spec: spec)
        func add(_ f: Int, _ j: Int, _ v: Double, _ city: String) {
            collector.consider(PlanCandidate(enterpriseID: "id\(f)", name: nil, city: city, line: f + 2, sequence: f, value: v,
                                             offer: spec.programmes[j].offers[0], probability: v), programme: j) { nil }
        }
        add(0, 0, 0.9, "济南"); add(1, 0, 0.8, "青岛")
        add(0, 1, 0.5, "济南"); add(1, 1, 0.7, "青岛")
        let result = try PlanSolver.solve(collector)
        #expect(result.programmes[0].selected.map(\.enterpriseID) == ["id1"])
        #expect(result.programmes[1].selected.map(\.enterpriseID) == ["id0"])
        #expect(abs(result.objective - 1.3) < 1e-12)
    }

    @Test("Refusals name the programme, the city and how many firms qualify")
    func refusals() throws {
        func solve(_ programme: String, firms: [(String, Double)]) throws -> PlanError? {
            let spec = try PlanSpec(json: try JSONValue.parse("{\"format\": \"finrec-plan\", \"format_version\": 1, \"programmes\": [\(programme)]}"), scorer: Self.scorer)
            var collector = PlanCollector(spec: spec)
            for (f, (city, v)) in firms.enumerated() {
                collector.consider(PlanCandidate(enterpriseID: "id\(f)", name: nil, city: city, line: f + 2, sequence: f, value: v,
                                                 offer: spec.programmes[0].offers[0], probability: v), programme: 0) { nil }
            }
            do { _ = try PlanSolver.solve(collector); return nil } catch { return error }
        }
        let three = [("济南", 0.5), ("青岛", 0.4), ("青岛", 0.3)]
        #expect(try solve(#"{"id": "a", "name_zh": "甲", "capacity": 4, "offers": ["bse"]}"#, firms: three)
            == .tooFewFirms(programme: "甲 (a)", capacity: 4, available: 3, measure: .probability))
        #expect(try solve(#"{"id": "a", "name_zh": "甲", "capacity": 2, "offers": ["bse"], "cities": {"济南": {"min": 2}}}"#, firms: three)
            == .cityMinimum(programme: "甲 (a)", city: "济南", minimum: 2, available: 1))
        #expect(try solve(#"{"id": "a", "name_zh": "甲", "capacity": 1, "offers": ["bse"], "cities": {"济南": {"min": 1}, "青岛": {"min": 1}}}"#, firms: three)
            == .cityMinimumsAboveCapacity(programme: "甲 (a)", minimums: 2, capacity: 1))
        #expect(try solve(#"{"id": "a", "name_zh": "甲", "capacity": 3, "offers": ["bse"], "cities": {"青岛": {"max": 1}}}"#, firms: three)
            == .cityMaximumsBelowCapacity(programme: "甲 (a)", room: 2, capacity: 3))
        let message = PlanError.cityMinimum(programme: "甲 (a)", city: "济南", minimum: 2, available: 1).description
        #expect(message.contains("甲 (a)") && message.contains("济南") && message.contains("only 1"))
    }

    @Test("Plan files: each mistake named by its key path")
    func planFileErrors() throws {
        func error(_ text: String) -> String? {
            do { _ = try PlanSpec(json: try JSONValue.parse(text), scorer: Self.scorer); return nil } catch { return "\(error)" }
        }
        let head = "\"format\": \"finrec-plan\", \"format_version\": 1"
        #expect(error("{\"format\": \"finrec-rank\", \"format_version\": 1, \"programmes\": []}")?.contains("finrec plan --example") == true)
        #expect(error("{\(head), \"programmes\": []}")?.hasPrefix("programmes: is empty") == true)
        #expect(error("{\(head), \"programmes\": [{\"id\": \"a\", \"name_zh\": \"甲\", \"capacity\": 1, \"offers\": [\"nope\"]}]}")?
            .hasPrefix("programmes[0].offers[0]: \"nope\" is not an offer") == true)
        #expect(error("{\(head), \"programmes\": [{\"id\": \"a\", \"name_zh\": \"甲\", \"capacity\": 1, \"offers\": [\"srdi_sme\"]}]}")?
            .contains("has no model") == true)
        #expect(error("{\(head), \"programmes\": [{\"id\": \"a\", \"name_zh\": \"甲\", \"capacity\": 1, \"offers\": [\"bse\"], \"by\": \"size\"}]}")?
            .hasPrefix("programmes[0].by:") == true)
        #expect(error("{\(head), \"programmes\": [{\"id\": \"a\", \"name_zh\": \"甲\", \"capacity\": 1, \"offers\": [\"bse\"], \"where\": \"citty == '济南'\"}]}")?
            .hasPrefix("programmes[0].where:") == true)
        #expect(error("{\(head), \"programmes\": [{\"id\": \"a\", \"name_zh\": \"甲\", \"capacity\": 1, \"offers\": [\"bse\"], \"cities\": {\"济南\": {\"min\": 3, \"max\": 2}}}]}")?
            .hasPrefix("programmes[0].cities.济南: max 2 is below min 3") == true)
        #expect(error("{\(head), \"programmes\": [{\"id\": \"a\", \"name_zh\": \"甲\", \"capacity\": 0, \"offers\": [\"bse\"]}]}")?
            .hasPrefix("programmes[0].capacity") == true)
        #expect(error("{\(head), \"programmes\": [{\"id\": \"a\", \"name_zh\": \"甲\", \"capacity\": 1, \"offers\": [\"bse\"], \"colour\": 1}]}")?
            .hasPrefix("programmes[0].colour") == true)
        // The example parses against the shipped model.
        #expect(error(PlanUseCase.exampleDocument) == nil)
    }

    @Test("Lower bounds: a flow that must route through a bounded arc, and one that cannot")
    func lowerBounds() {
        // 0 → 1 → 3 and 0 → 2 → 3; arc 2 → 3 must carry at least 2 though it costs more.
        var flow = MinCostFlow(nodes: 4)
        let a = flow.addArc(from: 0, to: 1, upper: 3, cost: 1)
        let b = flow.addArc(from: 0, to: 2, upper: 3, cost: 5)
        flow.addArc(from: 1, to: 3, upper: 3, cost: 0)
        flow.addArc(from: 2, to: 3, lower: 2, upper: 3, cost: 0)
        flow.addArc(from: 3, to: 0, lower: 3, upper: 3, cost: 0)
        let s = flow.solve()
        #expect(s.isFeasible && s.flow[a] == 1 && s.flow[b] == 2 && s.cost == 11)
        var impossible = MinCostFlow(nodes: 2)
        impossible.addArc(from: 0, to: 1, upper: 1, cost: 0)
        impossible.addArc(from: 1, to: 0, lower: 2, upper: 2, cost: 0)
        let t = impossible.solve()
        #expect(!t.isFeasible && t.shortfall == 1)
    }
}
