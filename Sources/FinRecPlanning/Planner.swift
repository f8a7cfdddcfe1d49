package import FinRecBase
import FinRecRecords
package import FinRecFeatures
package import FinRecCatalog
import FinRecModel
package import FinRecInference
package import FinRecEvaluation

/// A firm a programme could choose, with its value for the programme.
package struct PlanCandidate: Sendable, Equatable {
    package let enterpriseID: String
    package let name: String?
    package let city: String?
    /// Input line of the record.
    package let line: Int
    /// Position in the input (chunk-independent): the firm's identity across programmes.
    package let sequence: Int
    /// Its probability (``PlanSpec/Measure/probability``) or gap distance (``PlanSpec/Measure/gap``).
    package let value: Double
    /// The catalog index of the offer that gives the value.
    package let offer: Int
    /// The model's probability of that offer (nil for an offer without a model).
    package let probability: Double?
    /// For a gap programme: the nearest way to pass that offer.
    package var gap: EligibilityGap?

    package init(enterpriseID: String, name: String?, city: String?, line: Int, sequence: Int, value: Double, offer: Int,
                 probability: Double?, gap: EligibilityGap? = nil) {
        self.enterpriseID = enterpriseID
        self.name = name
        self.city = city
        self.line = line
        self.sequence = sequence
        self.value = value
        self.offer = offer
        self.probability = probability
        self.gap = gap
    }

    /// A probability programme's order: the higher value first, then smaller id, then earlier input.
    static func higherFirst(_ a: PlanCandidate, _ b: PlanCandidate) -> Bool {
        if a.value != b.value { return a.value > b.value }
        if a.enterpriseID != b.enterpriseID { return a.enterpriseID < b.enterpriseID }
        return a.sequence < b.sequence
    }

    /// A gap programme's order: the nearer first, then the higher probability, then smaller id, then earlier input.
    static func nearerFirst(_ a: PlanCandidate, _ b: PlanCandidate) -> Bool {
        if a.value != b.value { return a.value < b.value }
        if a.probability != b.probability { return (a.probability ?? -1) > (b.probability ?? -1) }
        if a.enterpriseID != b.enterpriseID { return a.enterpriseID < b.enterpriseID }
        return a.sequence < b.sequence
    }
}

/// Why a plan cannot be met, naming the programme, the city and how many firms exist.
package enum PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooFewFirms(programme: String, capacity: Int, available: Int, measure: PlanSpec.Measure)
    case cityMinimum(programme: String, city: String, minimum: Int, available: Int)
    case cityMinimumsAboveCapacity(programme: String, minimums: Int, capacity: Int)
    case cityMaximumsBelowCapacity(programme: String, room: Int, capacity: Int)
    case jointShortfall(shortfall: Int, maxPerFirm: Int, programmes: [String])

    package var description: String {
        switch self {
        case .tooFewFirms(let p, let capacity, let available, let measure):
            let who = measure == .probability
                ? "firms that meet its where condition and an admitted status for one of its offers"
                : "firms that meet its where condition, are not yet eligible and have a way open now to one of its offers"
            return "programme \(p) needs \(capacity) firms, but the pool has only \(available) \(who); lower its capacity, widen its where or status, or rank a larger pool"
        case .cityMinimum(let p, let city, let minimum, let available):
            return "programme \(p): city \(city) has a minimum of \(minimum), but only \(available) of its firms qualify (check the city's spelling as the pool writes it); lower the minimum"
        case .cityMinimumsAboveCapacity(let p, let minimums, let capacity):
            return "programme \(p): its city minimums add up to \(minimums), above its capacity of \(capacity); lower them or raise the capacity"
        case .cityMaximumsBelowCapacity(let p, let room, let capacity):
            return "programme \(p): with its city maximums only \(room) qualifying firms can be chosen, below its capacity of \(capacity); raise the maximums or lower the capacity"
        case .jointShortfall(let shortfall, let maxPerFirm, let programmes):
            return "the programmes \(programmes.joined(separator: ", ")) together cannot be filled with each firm in at most \(maxPerFirm) programme(s): \(shortfall) place(s) stay empty; raise max_programmes_per_firm or lower capacities"
        }
    }
}

/// Gathers each programme's candidates from scored chunks, in file order: per programme and city
/// group (each city with a quota, then the rest), the best firms by value, as many as an optimum
/// can need (``kept(capacity:cityMaximum:others:perFirm:)``); per target, every firm's best probability.
package struct PlanCollector: Sendable {
    package let spec: PlanSpec
    /// Per programme, per group: the best candidates.
    private(set) var best: [[TopK<PlanCandidate>]]
    /// Per programme, per group: every candidate counted.
    package private(set) var counts: [[Int]]
    /// Per target: each firm's best probability among the target's offers with an admitted
    /// status (firms with none are left out: their probability is 0).
    package private(set) var targetProbabilities: [[Double]]
    package private(set) var rows = 0
    /// When set, every qualifying (programme, firm) is also appended here as a CSV line
    /// (``candidateHeader``), for the caller to drain after each chunk (`finrec plan --candidates`).
    package var candidateLines: [UInt8]?

    /// The columns of the candidates file: every firm that qualifies for a programme, with its value.
    package static let candidateHeader = "programme_id,enterprise_id,city,line,value,offer_id\n"

    package init(spec: PlanSpec) {
        self.spec = spec
        let total = spec.programmes.reduce(0) { $0 + $1.capacity }
        best = spec.programmes.map { p in
            let order = p.measure == .probability ? PlanCandidate.higherFirst : PlanCandidate.nearerFirst
            return (0...p.cities.count).map { g in TopK(capacity: Self.kept(capacity: p.capacity, cityMaximum: g < p.cities.count ? p.cities[g].max : nil,
                                                                     others: total - p.capacity, perFirm: spec.maxProgrammesPerFirm), by: order) }
        }
        counts = spec.programmes.map { Array(repeating: 0, count: $0.cities.count + 1) }
        targetProbabilities = spec.targets.map { _ in [] }
    }

    /// How many of a city group's best firms an optimum can need: at most min(its maximum, the
    /// capacity) − 1 others of the group in the programme, at most ⌊others / per-firm limit⌋ firms
    /// kept out by the per-firm limit (each fills that many places of the other programmes), and one
    /// more that is free. A chosen firm beyond them could be swapped for a better free one of its
    /// group, which keeps every quota and does not lower the total.
    static func kept(capacity: Int, cityMaximum: Int?, others: Int, perFirm: Int) -> Int {
        min(cityMaximum ?? capacity, capacity) + others / perFirm
    }

    /// What the workers compute for a chunk before it is added in file order: each programme's
    /// `where` truths and, for a gap programme, each of its offers' distances.
    package struct Prepared: Sendable {
        let selected: [[Truth]?]
        let distances: [[[Double]]?]
    }

    package static func prepare(_ scored: ScoredChunk, spec: PlanSpec, scorer: OfferScorer) -> Prepared {
        let selected = spec.programmes.map { p -> [Truth]? in
            guard let filter = p.filter else { return nil }
            if case .truths(let t) = filter.evaluate(scored.chunk, parameters: scorer.parameters) { return t }
            return nil
        }
        let distances = spec.programmes.map { p -> [[Double]]? in
            p.measure == .gap ? p.offers.map { scorer.gaps.distances(scored.eligibility, offer: $0) } : nil
        }
        return Prepared(selected: selected, distances: distances)
    }

    /// Adds the rows of `scored` (its first row at input position `firstSequence`).
    package mutating func add(_ scored: ScoredChunk, prepared: Prepared, scorer: OfferScorer, firstSequence: Int) {
        let chunk = scored.chunk
        let ids = chunk.ids, names = chunk.names
        rows += chunk.rowCount
        let cities = (0..<chunk.rowCount).map { PoolRanker.text(chunk, "city", $0) }
        for (j, programme) in spec.programmes.enumerated() {
            for r in 0..<chunk.rowCount where prepared.selected[j].map({ $0[r] == .pass }) ?? true {
                var value = 0.0, offer = -1
                var probability: Double?
                switch programme.measure {
                case .probability:
                    for k in programme.offers where programme.statuses.contains(scored.status(offer: k, row: r)) {
                        guard let logit = scored.logit(offer: k, row: r) else { continue }
                        let p = Sigmoid.probability(logit)
                        if offer < 0 || p > value { value = p; offer = k; probability = p }
                    }
                case .gap:
                    guard let distances = prepared.distances[j],
                          !programme.offers.contains(where: { scored.status(offer: $0, row: r) == .pass }) else { continue }
                    for (i, k) in programme.offers.enumerated() where distances[i][r].isFinite {
                        let d = distances[i][r]
                        if offer < 0 || d < value { value = d; offer = k }
                    }
                    if offer >= 0 { probability = scored.logit(offer: offer, row: r).map(Sigmoid.probability) }
                }
                guard offer >= 0 else { continue }
                let candidate = PlanCandidate(enterpriseID: ids[r], name: names[r], city: cities[r], line: chunk.lines[r],
                                              sequence: firstSequence + r, value: value, offer: offer, probability: probability)
                consider(candidate, programme: j) { [offer] in
                    programme.measure == .gap ? scorer.gaps.gap(scored.eligibility, offer: offer, row: r, language: .zh) : nil
                }
            }
        }
        for (t, target) in spec.targets.enumerated() {
            for r in 0..<chunk.rowCount {
                var best = 0.0
                for k in target.offers where target.statuses.contains(scored.status(offer: k, row: r)) {
                    if let logit = scored.logit(offer: k, row: r) { best = max(best, Sigmoid.probability(logit)) }
                }
                if best > 0 { targetProbabilities[t].append(best) }
            }
        }
    }

    /// Counts a firm that qualifies for programme `j` and keeps it when it is among its city
    /// group's best; `gap` gives a gap programme's shortfalls, built only for a firm kept.
    package mutating func consider(_ candidate: PlanCandidate, programme j: Int, gap: () -> EligibilityGap?) {
        let programme = spec.programmes[j]
        let group = programme.cities.firstIndex { $0.city == candidate.city } ?? programme.cities.count
        counts[j][group] += 1
        if candidateLines != nil {
            let line = [programme.id, candidate.enterpriseID, candidate.city ?? "", String(candidate.line), "\(candidate.value)", spec.offerIDs[candidate.offer]]
            candidateLines!.append(contentsOf: (line.map(CSVField.escape).joined(separator: ",") + "\n").utf8)
        }
        let order = programme.measure == .probability ? PlanCandidate.higherFirst : PlanCandidate.nearerFirst
        guard best[j][group].admits({ order(candidate, $0) }) else { return }
        var kept = candidate
        kept.gap = gap()
        best[j][group].insert(kept)
    }

    /// Per programme, per group: the kept candidates, best first.
    package func candidates() -> [[[PlanCandidate]]] { best.map { $0.map { $0.sorted() } } }
}

/// The chosen firms and what they should bring.
package struct PlanResult: Sendable {
    package struct Programme: Sendable {
        package let spec: PlanSpec.Programme
        /// The chosen firms, best first.
        package let selected: [PlanCandidate]
        /// How many firms qualified.
        package let candidates: Int
        /// Σ value of the chosen firms (probabilities, or gap distances).
        package let total: Double
        /// For a probability programme: the number of successes among the chosen firms.
        package let successes: PoissonBinomial?
        /// Chosen firms per city, most first (then by name); a missing city as "".
        package let cities: [(city: String, firms: Int)]
    }

    package struct Target: Sendable {
        package let spec: PlanSpec.Target
        /// Firms with a probability above 0 for one of the target's offers.
        package let firms: Int
        package let successes: PoissonBinomial
        /// P(successes ≥ target).
        package var probabilityReached: Double { successes.probability(atLeast: spec.target) }
    }

    package let programmes: [Programme]
    package let targets: [Target]
    package let rows: Int
    /// The optimum: Σ probability over probability programmes minus Σ gap over gap programmes.
    package let objective: Double
    package let maxProgrammesPerFirm: Int
}

/// Chooses the firms of every programme at once: the selection of largest total value under
/// every capacity (met exactly), city minimum and maximum and the per-firm limit, found as a
/// minimum-cost flow (source → firm, at most the per-firm limit; firm → programme's city group,
/// one place, cost −probability or +gap; group → programme within the city's bounds; programme →
/// sink, exactly its capacity). The flow's optimum is integral, so the choice is exact.
package enum PlanSolver {
    package static func solve(_ collector: PlanCollector) throws(PlanError) -> PlanResult {
        let spec = collector.spec
        // Refusals that name one programme or city first.
        for (j, p) in spec.programmes.enumerated() {
            let counts = collector.counts[j], available = counts.reduce(0, +)
            guard available >= p.capacity else {
                throw .tooFewFirms(programme: p.displayName, capacity: p.capacity, available: available, measure: p.measure)
            }
            for (g, quota) in p.cities.enumerated() where quota.min > counts[g] {
                throw .cityMinimum(programme: p.displayName, city: quota.city, minimum: quota.min, available: counts[g])
            }
            let minimums = p.cities.reduce(0) { $0 + $1.min }
            guard minimums <= p.capacity else {
                throw .cityMinimumsAboveCapacity(programme: p.displayName, minimums: minimums, capacity: p.capacity)
            }
            let room = p.cities.enumerated().reduce(counts[p.cities.count]) { $0 + min($1.element.max ?? Int.max, counts[$1.offset]) }
            guard room >= p.capacity else { throw .cityMaximumsBelowCapacity(programme: p.displayName, room: room, capacity: p.capacity) }
        }

        let candidates = collector.candidates()
        // Nodes: 0 source, 1 sink, programmes, groups, then firms in order of first appearance.
        let programmeNode = { (j: Int) in 2 + j }
        var groupNode: [[Int]] = []
        var next = 2 + spec.programmes.count
        for p in spec.programmes {
            groupNode.append((0...p.cities.count).map { g in next + g })
            next += p.cities.count + 1
        }
        var firmNode: [Int: Int] = [:]
        for list in candidates.joined() { for c in list where firmNode[c.sequence] == nil { firmNode[c.sequence] = next; next += 1 } }

        var flow = MinCostFlow(nodes: next)
        let total = spec.programmes.reduce(0) { $0 + $1.capacity }
        flow.addArc(from: 1, to: 0, upper: total, cost: 0)
        for node in firmNode.values.sorted() { flow.addArc(from: 0, to: node, upper: spec.maxProgrammesPerFirm, cost: 0) }
        var choiceArcs: [(arc: Int, programme: Int, candidate: PlanCandidate)] = []
        for (j, p) in spec.programmes.enumerated() {
            for (g, list) in candidates[j].enumerated() {
                for c in list {
                    let cost = p.measure == .probability ? -c.value : c.value
                    choiceArcs.append((flow.addArc(from: firmNode[c.sequence]!, to: groupNode[j][g], upper: 1, cost: cost), j, c))
                }
                let quota = g < p.cities.count ? p.cities[g] : nil
                flow.addArc(from: groupNode[j][g], to: programmeNode(j), lower: quota?.min ?? 0,
                            upper: min(quota?.max ?? p.capacity, p.capacity), cost: 0)
            }
            flow.addArc(from: programmeNode(j), to: 1, lower: p.capacity, upper: p.capacity, cost: 0)
        }
        let solution = flow.solve()
        guard solution.isFeasible else {
            throw .jointShortfall(shortfall: solution.shortfall, maxPerFirm: spec.maxProgrammesPerFirm, programmes: spec.programmes.map(\.displayName))
        }

        var chosen = spec.programmes.map { _ in [PlanCandidate]() }
        for choice in choiceArcs where solution.flow[choice.arc] > 0 { chosen[choice.programme].append(choice.candidate) }
        let programmes = spec.programmes.enumerated().map { j, p -> PlanResult.Programme in
            let selected = chosen[j].sorted(by: p.measure == .probability ? PlanCandidate.higherFirst : PlanCandidate.nearerFirst)
            var perCity: [String: Int] = [:]
            for c in selected { perCity[c.city ?? "", default: 0] += 1 }
            return PlanResult.Programme(
                spec: p, selected: selected, candidates: collector.counts[j].reduce(0, +),
                total: selected.reduce(0) { $0 + $1.value },
                successes: p.measure == .probability ? PoissonBinomial(selected.map(\.value)) : nil,
                cities: perCity.map { (city: $0.key, firms: $0.value) }.sorted { $0.firms != $1.firms ? $0.firms > $1.firms : $0.city < $1.city })
        }
        let objective = programmes.reduce(0.0) { $0 + ($1.spec.measure == .probability ? $1.total : -$1.total) }
        let targets = spec.targets.enumerated().map { t, target in
            PlanResult.Target(spec: target, firms: collector.targetProbabilities[t].count,
                              successes: PoissonBinomial(collector.targetProbabilities[t]))
        }
        return PlanResult(programmes: programmes, targets: targets, rows: collector.rows, objective: objective,
                          maxProgrammesPerFirm: spec.maxProgrammesPerFirm)
    }
}
