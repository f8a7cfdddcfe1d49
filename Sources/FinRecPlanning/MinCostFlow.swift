/// A minimum-cost flow with lower and upper bounds on each arc, solved exactly by successive
/// shortest paths (Dijkstra on reduced costs, with node potentials).
///
/// Lower bounds are removed the usual way: an arc u → v with bounds [l, c] becomes an arc of
/// capacity c − l, node v gains a supply of l and u a demand of l; a super source feeds every
/// supply and a super sink drains every demand, and the bounds are all met exactly when the
/// maximum flow from the one to the other saturates them. The initial costs may be negative but
/// the graph a caller gives must have no cycle of negative cost (``solve()`` sets the first
/// potentials by Bellman–Ford); each augmentation then keeps the flow of minimum cost for its
/// value, so the flow found is optimal, and with integral bounds it is integral.
///
/// ```swift
/// var flow = MinCostFlow(nodes: 4)
/// let a = flow.addArc(from: 0, to: 1, lower: 0, upper: 1, cost: -0.8)
/// …
/// let solution = flow.solve()
/// ```
package struct MinCostFlow: Sendable {
    /// One arc as given (after ``solve()``: with its flow).
    package struct Arc: Sendable {
        package let from: Int
        package let to: Int
        package let lower: Int
        package let upper: Int
        package let cost: Double
    }

    /// The outcome of ``solve()``.
    package struct Solution: Sendable {
        /// Per arc, in the order added: its flow (within its bounds when ``isFeasible``).
        package let flow: [Int]
        /// Whether every lower bound (and supply) could be met.
        package let isFeasible: Bool
        /// Σ flow × cost over the arcs given.
        package let cost: Double
        /// How much of the lower bounds' total was not met (0 when feasible).
        package let shortfall: Int
    }

    package private(set) var arcs: [Arc] = []
    package let nodeCount: Int

    package init(nodes: Int) { nodeCount = nodes }

    /// Adds an arc from `from` to `to` carrying between `lower` and `upper` units at `cost` a unit,
    /// and returns its index.
    @discardableResult
    package mutating func addArc(from: Int, to: Int, lower: Int = 0, upper: Int, cost: Double) -> Int {
        precondition(from >= 0 && from < nodeCount && to >= 0 && to < nodeCount && from != to, "arc ends are nodes")
        precondition(lower >= 0 && lower <= upper && cost.isFinite, "bounds 0 ≤ lower ≤ upper, finite cost")
        arcs.append(Arc(from: from, to: to, lower: lower, upper: upper, cost: cost))
        return arcs.count - 1
    }

    /// Solves the problem: a flow meeting every bound at minimum total cost (the flow that meets
    /// the most of the lower bounds when none meets them all).
    package func solve() -> Solution {
        var graph = Residual(nodes: nodeCount + 2)
        let source = nodeCount, sink = nodeCount + 1
        var excess = [Int](repeating: 0, count: nodeCount)
        var handles: [Int] = []
        handles.reserveCapacity(arcs.count)
        for arc in arcs {
            handles.append(graph.add(arc.from, arc.to, capacity: arc.upper - arc.lower, cost: arc.cost))
            excess[arc.to] += arc.lower
            excess[arc.from] -= arc.lower
        }
        var required = 0
        for v in 0..<nodeCount where excess[v] != 0 {
            if excess[v] > 0 {
                graph.add(source, v, capacity: excess[v], cost: 0)
                required += excess[v]
            } else {
                graph.add(v, sink, capacity: -excess[v], cost: 0)
            }
        }
        let sent = graph.minCostFlow(from: source, to: sink, limit: required)
        var flow: [Int] = []
        flow.reserveCapacity(arcs.count)
        var cost = 0.0
        for (arc, h) in zip(arcs, handles) {
            let f = arc.lower + graph.flow(h)
            flow.append(f)
            cost += Double(f) * arc.cost
        }
        return Solution(flow: flow, isFeasible: sent == required, cost: cost, shortfall: required - sent)
    }

    /// The residual graph in compressed adjacency form, edges paired with their reverses (e ^ 1).
    struct Residual {
        var head: [Int]
        var to: [Int] = []
        var next: [Int] = []
        var capacity: [Int] = []
        var cost: [Double] = []
        var original: [Int] = []

        init(nodes: Int) { head = [Int](repeating: -1, count: nodes) }

        @discardableResult
        mutating func add(_ u: Int, _ v: Int, capacity c: Int, cost w: Double) -> Int {
            let e = to.count
            to.append(v); next.append(head[u]); capacity.append(c); cost.append(w); original.append(c); head[u] = e
            to.append(u); next.append(head[v]); capacity.append(0); cost.append(-w); original.append(0); head[v] = e + 1
            return e
        }

        func flow(_ e: Int) -> Int { original[e] - capacity[e] }

        /// Sends up to `limit` units from `s` to `t` along successive shortest paths; returns the units sent.
        mutating func minCostFlow(from s: Int, to t: Int, limit: Int) -> Int {
            let n = head.count
            // First potentials: shortest distances from s by Bellman–Ford (queue-based), which
            // the negative arc costs need; unreachable nodes keep 0.
            var potential = [Double](repeating: .infinity, count: n)
            potential[s] = 0
            var queue = [s], inQueue = [Bool](repeating: false, count: n), position = 0
            inQueue[s] = true
            while position < queue.count {
                let u = queue[position]
                position += 1
                inQueue[u] = false
                var e = head[u]
                while e >= 0 {
                    if capacity[e] > 0, potential[u] + cost[e] < potential[to[e]] - 1e-12 {
                        potential[to[e]] = potential[u] + cost[e]
                        if !inQueue[to[e]] { inQueue[to[e]] = true; queue.append(to[e]) }
                    }
                    e = next[e]
                }
                if position > 1_024 && position * 2 > queue.count { queue.removeFirst(position); position = 0 }
            }
            for v in 0..<n where potential[v] == .infinity { potential[v] = 0 }

            var sent = 0
            var distance = [Double](repeating: .infinity, count: n)
            var via = [Int](repeating: -1, count: n)
            var done = [Bool](repeating: false, count: n)
            var heap = MinHeap()
            var touched: [Int] = []
            while sent < limit {
                // Dijkstra on reduced costs (clamped at 0 against rounding), stopping at t.
                for v in touched { distance[v] = .infinity; via[v] = -1; done[v] = false }
                touched.removeAll(keepingCapacity: true)
                distance[s] = 0
                touched.append(s)
                heap.removeAll()
                heap.push(0, s)
                var reached = false
                while let (d, u) = heap.pop() {
                    if done[u] || d > distance[u] { continue }
                    done[u] = true
                    if u == t { reached = true; break }
                    var e = head[u]
                    while e >= 0 {
                        let v = to[e]
                        if capacity[e] > 0 && !done[v] {
                            let nd = d + max(0, cost[e] + potential[u] - potential[v])
                            if nd < distance[v] {
                                if distance[v] == .infinity { touched.append(v) }
                                distance[v] = nd
                                via[v] = e
                                heap.push(nd, v)
                            }
                        }
                        e = next[e]
                    }
                }
                guard reached else { break }
                let reach = distance[t]
                for v in touched where distance[v] < .infinity { potential[v] += min(distance[v], reach) }
                for v in 0..<n where distance[v] == .infinity { potential[v] += reach }
                // Every shortest path now has reduced cost 0: push along as many as there are.
                sent += blockingFlow(from: s, to: t, limit: limit - sent, potential: potential)
            }
            return sent
        }

        /// Pushes flow along paths of arcs with reduced cost 0 (within rounding) until none is left
        /// or `limit` is sent, by depth-first search with a current arc per node; returns the units
        /// sent. Flow on such paths keeps every residual arc's reduced cost non-negative, so the
        /// flow stays of minimum cost for its value.
        mutating func blockingFlow(from s: Int, to t: Int, limit: Int, potential: [Double]) -> Int {
            let n = head.count
            var current = head
            var dead = [Bool](repeating: false, count: n), onPath = [Bool](repeating: false, count: n)
            var path: [Int] = []
            var sent = 0
            func admissible(_ e: Int, from u: Int) -> Bool {
                let v = to[e]
                return capacity[e] > 0 && !dead[v] && !onPath[v] && abs(cost[e] + potential[u] - potential[v]) <= 1e-11
            }
            var u = s
            onPath[s] = true
            while sent < limit {
                if u == t {
                    var push = limit - sent
                    for e in path { push = min(push, capacity[e]) }
                    for e in path { capacity[e] -= push; capacity[e ^ 1] += push }
                    sent += push
                    for e in path { onPath[to[e]] = false }
                    path.removeAll(keepingCapacity: true)
                    u = s
                    continue
                }
                while current[u] >= 0 && !admissible(current[u], from: u) { current[u] = next[current[u]] }
                if current[u] >= 0 {
                    let e = current[u]
                    path.append(e)
                    onPath[to[e]] = true
                    u = to[e]
                } else {
                    dead[u] = true
                    guard let e = path.popLast() else { break }
                    onPath[u] = false
                    u = to[e ^ 1]
                    current[u] = next[current[u]]
                }
            }
            return sent
        }
    }

    /// A binary min-heap of (distance, node).
    struct MinHeap {
        private var keys: [Double] = []
        private var nodes: [Int] = []

        mutating func removeAll() { keys.removeAll(keepingCapacity: true); nodes.removeAll(keepingCapacity: true) }

        mutating func push(_ key: Double, _ node: Int) {
            keys.append(key); nodes.append(node)
            var i = keys.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                if keys[parent] <= keys[i] { break }
                keys.swapAt(parent, i); nodes.swapAt(parent, i)
                i = parent
            }
        }

        mutating func pop() -> (Double, Int)? {
            guard let key = keys.first, let node = nodes.first else { return nil }
            let last = keys.count - 1
            keys.swapAt(0, last); nodes.swapAt(0, last)
            keys.removeLast(); nodes.removeLast()
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < keys.count && keys[l] < keys[m] { m = l }
                if r < keys.count && keys[r] < keys[m] { m = r }
                if m == i { break }
                keys.swapAt(m, i); nodes.swapAt(m, i)
                i = m
            }
            return (key, node)
        }
    }
}
