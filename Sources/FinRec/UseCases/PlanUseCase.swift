import FinRecBase
import FinRecRecords
import FinRecLinear
import FinRecFeatures
import FinRecCatalog
import FinRecModel
import FinRecInference
import FinRecEvaluation
import FinRecPlanning
import FinRecReports
import FinRecExport
import FinRecSynthetic
/// Choose firms for the province's programmes under quotas and forecast its targets: the use
/// case behind `finrec plan`.
///
/// ```swift
/// let model = try ScoringModel(path: "Models/default-model.json", asOf: "2026-06-30")
/// let plan = try PlanUseCase.readPlan(path: "plan.json", model: model)
/// let document = try PlanUseCase.plan(try EnterpriseFileReader(path: "pool.csv"), plan: plan, model: model)
/// print(document.table())
/// ```
public enum PlanUseCase {
    /// A plan file, read and checked against the model's catalog.
    public struct Plan: Sendable {
        package let spec: PlanSpec
        /// The file as given.
        public let path: String
    }

    /// Why a plan cannot be read or met.
    public struct PlanFileError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads the plan at `path` (`-`: standard input is not accepted; a plan is a file).
    /// - Throws: ``PlanFileError`` naming the file and the key path, with what to do.
    public static func readPlan(path: String, model: ScoringModel) throws(PlanFileError) -> Plan {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch { throw PlanFileError(description: "\(path): \(error)") }
        return try plan(bytes: bytes, name: path, model: model)
    }

    /// Reads a plan document's bytes; `name` is how messages name it.
    public static func plan(bytes: [UInt8], name: String, model: ScoringModel) throws(PlanFileError) -> Plan {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            throw PlanFileError(description: "\(name): \(error) (finrec plan --example prints a valid plan)")
        }
        return try plan(json: json, name: name, model: model)
    }

    /// Reads a parsed plan document; `name` is how messages name it.
    package static func plan(json: JSONValue, name: String, model: ScoringModel) throws(PlanFileError) -> Plan {
        do { return Plan(spec: try PlanSpec(json: json, scorer: model.scorer), path: name) } catch {
            throw PlanFileError(description: "\(name): \(error)")
        }
    }

    /// Scores every enterprise `reader` yields and chooses each programme's firms exactly.
    ///
    /// Results are identical for any `workers` and chunk size.
    /// - Complexity: scoring as `rank` does, then a minimum-cost flow over at most
    ///   programmes × (cities with a quota + 1) × Σ capacities candidates, one shortest-path
    ///   search per place filled (fewer with ties).
    /// - Throws: ``PlanFileError`` when the plan cannot be met (naming the programme, the city and
    ///   how many firms qualify), `InputFileError` for bad input, `Interrupted` when `shouldStop` says so.
    /// - Parameter candidates: when given, every firm that qualifies for a programme is streamed to
    ///   this file (CSV: programme, enterprise id, city, line, value, offer), committed on success.
    public static func plan(_ reader: EnterpriseFileReader, plan: Plan, model: ScoringModel, workers: Int = 1, candidates: String? = nil,
                            progress: (EnterpriseFileReader, _ rowsScanned: Int) -> Void = { _, _ in },
                            shouldStop: () -> Bool = { false }, report: (ReadReport) -> Void = { _ in }) throws -> PlanDocument {
        let scorer = model.scorer, spec = plan.spec
        var collector = PlanCollector(spec: spec)
        let candidateFile = try candidates.map { try AtomicFileWriter(path: $0) }
        defer { candidateFile?.discard() }
        if let candidateFile {
            try candidateFile.write(PlanCollector.candidateHeader)
            collector.candidateLines = []
        }
        let pipeline = ChunkPipeline<(ScoredChunk, PlanCollector.Prepared, Int)>(
            reader: reader, workers: workers,
            transform: { chunk, first in
                let scored = scorer.score(chunk, firstRow: first)
                return (scored, PlanCollector.prepare(scored, spec: spec, scorer: scorer), first)
            },
            consume: { item in
                collector.add(item.0, prepared: item.1, scorer: scorer, firstSequence: item.2)
                if let candidateFile, let lines = collector.candidateLines {
                    try candidateFile.write(lines)
                    collector.candidateLines = []
                }
            })
        try pipeline.run(progress: progress, shouldStop: shouldStop)
        report(try reader.finish())
        guard collector.rows > 0 else { throw InputFileError(path: reader.path, message: "has no enterprises to plan with (only a header?); nothing was written") }
        let result: PlanResult
        let started = ContinuousClock.now
        do { result = try PlanSolver.solve(collector) } catch { throw PlanFileError(description: "\(plan.path): \(error)") }
        let solving = started.duration(to: .now)
        try candidateFile?.commit()
        var document = PlanDocument(result: result, scorer: scorer, modelPath: model.name, asOf: model.asOf, planPath: plan.path)
        document.solveSeconds = Double(solving.components.seconds) + Double(solving.components.attoseconds) * 1e-18
        return document
    }
}

extension PlanUseCase {
    /// The example plan (`finrec plan --example`): the Shandong plan's quotas.
    public static var exampleDocument: String { PlanSpec.example }
}
