import FinRec
@testable import FinRecServer
import Foundation
import Testing

/// The page's templates read their views' stored properties by name (swift-mustache reflects over
/// them); a name without a property renders as nothing, silently. These tests keep the names of
/// the templates and of the view types in step.
@Suite("The officer's page: every name a template uses is a property of its view")
struct PageViewTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The names a template uses: `{{x}}`, `{{#x}}`, `{{^x}}`, `{{/x}}`, each part of `{{a.b}}`.
    static func names(_ template: String) throws -> Set<String> {
        let tag = try Regex(#"\{\{[#^/]?\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}"#)
        var names: Set<String> = []
        for match in template.matches(of: tag) {
            guard let name = match.output[1].substring else { continue }
            for part in name.split(separator: ".") { names.insert(String(part)) }
        }
        return names
    }

    /// The stored properties' names of `value` and of everything it holds (structs, optionals,
    /// arrays' elements); a dictionary's values are not views and are left out.
    static func labels(_ value: Any) -> Set<String> {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .dictionary { return [] }
        var labels: Set<String> = []
        for child in mirror.children {
            if let label = child.label, mirror.displayStyle == .struct { labels.insert(label) }
            labels.formUnion(Self.labels(child.value))
        }
        return labels
    }

    /// A decision of the shipped model on a shipped applicant, as the page shows it.
    func decisionView() throws -> DecisionPageView {
        let model = try LoadedModel(path: root + "/Models/default-model.json", asOf: "2026-06-30")
        let input = try Array(Data(contentsOf: URL(fileURLWithPath: root + "/Datasets/applicants/provincial-srdi.json")))
        let document = try Desk.assess(input, name: "test", model: model, options: ScoreOptions())
        let report = try ScoreReport(json: Array(document.jsonValue().compact().utf8))
        let lists = model.scoring.scorer.catalog.lists
        let chrome = PageChrome(lang: "zh", t: .chinese, title: "", modelShort: "", asOf: "", switchHref: "", probabilityNote: nil)
        return DecisionPageView(chrome, decision: "1", time: "", client: "local", encodingNote: TextEncoding.gb18030.readNote,
                                enterprises: report.enterprises.map { Page.enterpriseView($0, lists: lists, language: .zh) })
    }

    @Test("A decision read from a GB18030 upload says so on the page")
    func encodingNoteShown() throws {
        let html = Page.render("result", try decisionView())
        #expect(html.contains("<p class=\"notes\" id=\"encoding-note\">按 GB18030 读取"))
    }

    @Test("Each template's names are properties of its view type (or of the layout's fields)")
    func namesAreProperties() throws {
        let chrome = PageChrome(lang: "zh", t: .chinese, title: "", modelShort: "", asOf: "", switchHref: "", probabilityNote: nil)
        let field = FormPageView.Field(name: "a", label: "a", required: true, value: "", hasOptions: true,
                                       options: [.init(code: "x", text: "x", selected: true)], inputType: "text", placeholder: "p")
        let decision = try decisionView()
        // The views hold something in every list, so their element types are reflected too.
        let offers = decision.enterprises.flatMap(\.lists).flatMap(\.offers)
        #expect(!offers.isEmpty && offers.contains { !$0.reasons.isEmpty }, "the shipped applicant has offers with blocking rules")
        let pages: [(String, String, Any)] = [
            ("form", PageTemplates.form, FormPageView(chrome, error: "e", fields: [field])),
            ("result", PageTemplates.result, decision),
            ("decisions", PageTemplates.decisions, DecisionsPageView(chrome, rows: [.init(id: "1", time: "t", client: "c", route: "r", applicants: "1")])),
            ("error", PageTemplates.error, ErrorPageView(chrome, status: 404, message: "m")),
        ]
        for (name, template, view) in pages {
            let labels = Self.labels(view)
            let missing = try Self.names(PageTemplates.layout + template).subtracting(labels)
            #expect(missing.isEmpty, "template \(name) uses names its view lacks: \(missing.sorted())")
        }
    }

    @Test("A name without a property is caught: the check is not vacuous")
    func catchesAMissingName() throws {
        let chrome = PageChrome(lang: "zh", t: .chinese, title: "", modelShort: "", asOf: "", switchHref: "", probabilityNote: nil)
        let labels = Self.labels(ErrorPageView(chrome, status: 404, message: "m"))
        #expect(try Self.names("{{t.back}} {{#status}}{{messages}}{{/status}}").subtracting(labels) == ["messages"])
        #expect(labels.isSuperset(of: ["lang", "t", "back", "errorTitle", "status", "message"]))
    }
}
