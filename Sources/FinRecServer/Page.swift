import FinRec
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The officer's page, server-rendered and script-free: `GET /` (the form and the upload),
/// `POST /score` (scores, commits the decision, redirects to it), `GET /decisions/N` (the
/// decision from the audit log, printable), `GET /decisions/N.xlsx` (the same as a workbook).
enum Page {
    /// No script, no inline style, no framing, forms only to this service.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    /// A page shows at most this many applicants; more go to POST /v1/rank or `finrec rank`.
    static let maximumApplicants = 100

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        // The templates are constants of this file's module; the suite renders each.
        for (name, text) in [("form", PageTemplates.form), ("result", PageTemplates.result), ("decisions", PageTemplates.decisions),
                             ("error", PageTemplates.error)] {
            do {
                try library.register("{{< layout}}{{$content}}" + text + "{{/content}}{{/layout}}", named: name)
            } catch { preconditionFailure("page template \(name): \(error)") }
        }
        do { try library.register(PageTemplates.layout.replacingOccurrences(of: "{{> content}}", with: "{{$content}}{{/content}}"), named: "layout") } catch {
            preconditionFailure("page layout: \(error)")
        }
        return library
    }()

    static func register(on router: some RouterMethods<FinRecContext>, state: ServiceState) {
        // What the page shows depends on the roles: an officer the form, a supervisor (without
        // the officer's role) the newest decisions of every client.
        router.get("/") { request, context in
            let language = pageLanguage(request, form: [:])
            if !context.roles.contains(.officer), context.roles.contains(.supervisor) {
                return html(render("decisions", try decisionsView(language: language, state: state)))
            }
            try context.require(.officer, "use the assessment page")
            return html(render("form", formView(values: [:], error: nil, language: language, state: state)))
        }
        router.get("/static/finrec.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: PageTemplates.stylesheet)))
        }
        // Browsers ask for an icon; there is none to send (and nothing to log as an error).
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.post("/score") { request, context in
            try context.require(.officer, "score applicants")
            return try await score(request, context: context, state: state)
        }
        router.get("/decisions/:id") { request, context in try await decision(request, context: context, state: state) }
    }

    // MARK: Scoring from the page

    static func score(_ request: Request, context: FinRecContext, state: ServiceState) async throws -> Response {
        try checkSameOrigin(request)
        let type = Body.mediaType(request)
        guard type == "application/x-www-form-urlencoded" || type == "multipart/form-data" else {
            throw ServiceError(.unsupportedMediaType, "the page posts a form (application/x-www-form-urlencoded or multipart/form-data); programs use POST /v1/score")
        }
        let model = state.models.model
        let body = try await Body.read(request, state: state)
        var fields: [String: String] = [:]
        var upload: (name: String, bytes: [UInt8])?
        if type == "multipart/form-data" {
            let parts = try FormData.multipart(body, contentType: request.headers[.contentType] ?? "")
            for part in parts {
                if part.name == "file" {
                    guard let filename = part.filename, !filename.isEmpty, !part.body.isEmpty else {
                        throw ServiceError(.badRequest, "choose a file (CSV, JSON or Excel .xlsx) before uploading")
                    }
                    upload = (filename, part.body)
                } else {
                    fields[part.name] = String(decoding: part.body, as: UTF8.self)
                }
            }
        } else {
            fields = try FormData.urlencoded(body)
        }
        let language = pageLanguage(request, form: fields)
        let input: [UInt8], name: String
        if let upload {
            name = "uploaded file " + FormData.displayName(upload.name)
            input = try Uploads.applicants(upload.bytes, filename: upload.name, displayName: name)
        } else {
            name = language == .zh ? "表单" : "the form"
            input = FormData.applicantCSV(fields)
        }
        var options = ScoreOptions()
        options.language = language
        options.maximumApplicants = maximumApplicants
        let document: ScoreDocument
        do {
            document = try Desk.assess(input, name: name, model: model, options: options)
        } catch {
            // Back to the form with what was entered and what to fix; a field's error by its label.
            var message = error.message
            if upload == nil, let field = error.field, let detail = error.detail,
               let spec = EnterpriseSchema.schema.fields.first(where: { $0.name == field }) {
                message = spec.label(language) + (language == .zh ? "：" : ": ") + detail
            }
            let view = formView(values: upload == nil ? fields : [:], error: message, language: language, state: state)
            return html(render("form", view), status: HTTPResponse.Status(code: error.status.rawValue))
        }
        let id = try await API.commit(route: "POST /score", body: body, model: model, applicants: document.results.count,
                                      result: document.compactJSON(),
                                      context: context, state: state)
        var headers = HTTPFields()
        headers[.location] = "/decisions/\(id)"
        headers[.finrecDecision] = String(id)
        return Response(status: .seeOther, headers: headers)
    }

    /// Browsers say where a form came from; a post from another site is refused (no cross-site
    /// request forgery with the officer's credentials).
    static func checkSameOrigin(_ request: Request) throws {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], !["same-origin", "none"].contains(site) {
            throw ServiceError(.forbidden, "this form was posted from another site (\(site)); open the page at / and submit it there")
        }
        if let origin = request.headers[.origin], origin != "null", let host = request.head.authority,
           URL(string: origin).map({ u in (u.host ?? "") + (u.port.map { ":\($0)" } ?? "") }) != host {
            throw ServiceError(.forbidden, "this form was posted from \(origin), not from this service; open the page at / and submit it there")
        }
    }

    // MARK: Decisions

    static func decision(_ request: Request, context: FinRecContext, state: ServiceState) async throws -> Response {
        var text = context.parameters.get("id") ?? ""
        let workbook = text.hasSuffix(".xlsx")
        if workbook { text.removeLast(5) }
        // An officer sees its own decisions, a supervisor every client's (all are `local` without tokens).
        let entry = try API.decision(text, context: context, state: state)
        let id = entry.id ?? 0
        // The decision as it was audited, read back as the typed document.
        let document: ScoreReport
        do { document = try ScoreReport(json: Array(entry.result.utf8)) } catch {
            throw ServiceError(.notFound, "decision \(id) is the answer of \(entry.route), which the page does not show (\(error)); read it with `finrec audit`")
        }
        if workbook {
            var headers = HTTPFields()
            headers[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            headers[.contentDisposition] = "attachment; filename=\"finrec-decision-\(id).xlsx\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try Workbooks.score(document, catalog: state.models.model.scoring.scorer.catalog).bytes())))
        }
        let language: Language = document.language == "en" ? .en : .zh
        var chrome = chrome(language: language, state: state)
        // The footer names the model and the date of the decision, not those in service now.
        chrome.modelShort = String(entry.modelSHA256.prefix(12))
        chrome.asOf = document.asOf
        chrome.probabilityNote = document.probabilityNote
        chrome.title = chrome.t.resultTitle
        // A model of an adverse event (default): a higher probability is worse for the applicant,
        // and the factors that help are those that lower it.
        let adverse = document.event == FittedFeatures.EventPolarity.adverse.rawValue
        if adverse {
            chrome.t.probability = language == .zh ? "事件概率（越高越不利）" : "Probability of the event (higher is worse)"
        }
        // The lists' titles and order come from the kinds of the catalog in service.
        let lists = state.models.model.scoring.scorer.catalog.lists
        let view = DecisionPageView(chrome, decision: String(id), time: entry.time, client: entry.client, encodingNote: document.inputEncodingNote,
                                    enterprises: document.enterprises.map { enterpriseView($0, lists: lists, language: language, adverse: adverse) })
        return html(render("result", view))
    }

    // MARK: Views

    /// The page of `template` for its view (``FormPageView``, ``DecisionPageView``, ``ErrorPageView``).
    static func render(_ template: String, _ view: Any) -> String {
        library.render(view, withTemplate: template) ?? ""
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func pageLanguage(_ request: Request, form: [String: String]) -> Language {
        let chosen = form["lang"] ?? request.uri.queryParameters["lang"].map(String.init)
        return chosen == "en" ? .en : .zh
    }

    /// The layout's fields for a page in `language`, with the model in service.
    static func chrome(language: Language, state: ServiceState) -> PageChrome {
        let model = state.models.model
        let other = language == .zh ? "en" : "zh"
        return PageChrome(lang: language.rawValue, t: PageText.text(language), title: "", modelShort: String(model.sha256.prefix(12)),
                          asOf: model.asOf, switchHref: "/?lang=\(other)", probabilityNote: model.model.provenance.probabilityNote(language))
    }

    /// The newest 100 decisions of every client.
    static func decisionsView(language: Language, state: ServiceState) throws -> DecisionsPageView {
        var chrome = chrome(language: language, state: state)
        chrome.title = chrome.t.decisionsTitle
        var filter = AuditFilter()
        filter.limit = 100
        let rows = try state.audit.entries(filter).reversed().map {
            DecisionsPageView.Row(id: String($0.id ?? 0), time: $0.time, client: $0.client, route: $0.route, applicants: String($0.applicants))
        }
        return DecisionsPageView(chrome, rows: rows)
    }

    static func formView(values: [String: String], error: String?, language: Language, state: ServiceState) -> FormPageView {
        var chrome = chrome(language: language, state: state)
        chrome.title = chrome.t.formTitle
        let fields = EnterpriseSchema.schema.fields.map { f -> FormPageView.Field in
            var field = FormPageView.Field(name: f.name, label: language == .zh ? f.chineseName : f.name.replacingOccurrences(of: "_", with: " "),
                                           required: f.required, value: values[f.name] ?? "")
            switch f.kind {
            case .category(let options):
                field.hasOptions = true
                field.options = options.map { .init(code: $0.code, text: language == .zh ? $0.chinese : $0.code, selected: values[f.name] == $0.code) }
            case .flag:
                field.hasOptions = true
                field.options = [("1", language == .zh ? "是" : "yes"), ("0", language == .zh ? "否" : "no")].map {
                    .init(code: $0.0, text: $0.1, selected: values[f.name] == $0.0)
                }
            case .date:
                field.inputType = "date"
            case .number(_, let unit):
                field.inputType = "text"
                field.placeholder = unit
            case .ratio:
                field.inputType = "text"
                field.placeholder = language == .zh ? "0.12 或 12%" : "0.12 or 12%"
            case .integer:
                field.inputType = "text"
                field.placeholder = language == .zh ? "整数" : "whole number"
            case .creditCode:
                field.inputType = "text"
                field.placeholder = language == .zh ? "18位统一社会信用代码" : "18-character credit code"
            case .text:
                field.inputType = "text"
            }
            return field
        }
        return FormPageView(chrome, error: error, fields: fields)
    }

    /// One enterprise of a score document, its offers in `lists` (the catalog's, in order; a list
    /// the catalog lacks comes after them, titled by its key).
    static func enterpriseView(_ e: ScoreReport.Enterprise, lists catalogLists: [Catalog.OfferList], language: Language,
                               adverse: Bool = false) -> DecisionPageView.Enterprise {
        let t = PageText.text(language)
        func percent(_ x: Double?) -> String? { x.map { Fixed.format($0 * 100, digits: 1) + "%" } }
        func percent(_ x: Double, digits: Int) -> String { Fixed.exact(x * 100, digits: digits) + "%" }
        func money(_ x: Double) -> String { EligibilityResult.format(x, .money, language) }
        var keys = catalogLists.map(\.id)
        for o in e.offers where !keys.contains(o.list) { keys.append(o.list) }
        func title(_ key: String) -> String {
            guard let list = catalogLists.first(where: { $0.id == key }) else { return key }
            return language == .zh ? list.chinese : list.chinese + " " + list.english
        }
        let lists = keys.compactMap { key -> DecisionPageView.OfferList? in
            let offers = e.offers.filter { $0.list == key }
            guard !offers.isEmpty else { return nil }
            return DecisionPageView.OfferList(key: key, title: title(key), offers: offers.map { o in
                var gap: [String] = []
                if let g = o.gap {
                    gap = g.items.map(\.text)
                    if !g.standards.isEmpty { gap.insert(t.nearest + g.standards.joined(separator: " · "), at: 0) }
                    // Open only with the next annual accounts: say so, and when, first.
                    if let when = g.nextAccounts?.text { gap.insert(t.nextAccounts + when, at: 0) }
                }
                let terms = o.terms.map { x in [t.amount + x.amount, t.term + x.term, t.rate + x.rate] } ?? []
                let interval = o.probabilityInterval
                let nonEmpty = PageViews.nonEmpty
                return DecisionPageView.Offer(
                    id: nonEmpty(o.id), rank: o.rank, nameZh: nonEmpty(o.nameZh), nameEn: nonEmpty(o.nameEn),
                    status: nonEmpty(o.status), statusText: nonEmpty(t.statusNames[o.status] ?? o.status),
                    indicative: o.indicative,
                    probability: percent(o.probability) ?? "—",
                    interval: interval.flatMap { $0.count == 2 ? "\(percent($0[0])!)–\(percent($0[1])!)" : nil },
                    points: o.points.map { Fixed.format($0, digits: 0) } ?? "—",
                    // Green ("up") lists what helps the applicant: for an adverse event, what lowers the probability.
                    up: (adverse ? o.reasonCodesDown : o.reasonCodesUp).map(\.text),
                    down: (adverse ? o.reasonCodesUp : o.reasonCodesDown).map(\.text),
                    warnings: o.warnings.map(\.text),
                    reasons: o.reasons.map { r in
                        DecisionPageView.Reason(text: nonEmpty(r.text), source: nonEmpty(r.source),
                                                missing: nonEmpty((r.missingFields ?? []).joined(separator: "、")))
                    },
                    gap: gap, path: (o.path?.text).flatMap(nonEmpty), terms: terms,
                    rate: o.cost.map { percent($0.effectiveRate, digits: 2) },
                    charge: o.cost.map { t.interest + money($0.total) },
                    worth: o.kind == "policy" ? (o.benefit.map { t.worth + money($0) } ?? "—") : nil,
                    cost: o.cost.map { [$0.text] + $0.notes } ?? (o.benefitNote.flatMap(nonEmpty).map { [$0] } ?? []))
            })
        }
        let notes = e.rangeNotes.map(\.text)
        let supplements = e.supplements.map { s in
            "\(s.label)（\(t.upTo)\(Fixed.format(s.maxPoints, digits: 1))\(t.pointsUnit)，\(s.offerId)）"
        }
        let notApplicable = e.notApplicable.map { n in
            n.nameZh + "（\(n.id)）：" + n.reasons.map(\.text).joined(separator: "；")
        }
        return DecisionPageView.Enterprise(
            notApplicable: notApplicable, hasNotApplicable: !notApplicable.isEmpty,
            name: e.name ?? "", id: e.enterpriseId,
            figures: e.keyFigures.map { .init(label: $0.label, text: $0.text) },
            notes: notes, hasNotes: !notes.isEmpty, lists: lists,
            supplements: supplements, hasSupplements: !supplements.isEmpty)
    }

    static func errorPage(_ error: ServiceError, request: Request) -> String {
        let language: Language = request.uri.queryParameters["lang"] == "en" ? .en : .zh
        let other = language == .zh ? "en" : "zh"
        let t = PageText.text(language)
        // An error page names no model: it may come before any was read, or from a refused client.
        let chrome = PageChrome(lang: language.rawValue, t: t, title: t.errorTitle, modelShort: "", asOf: "",
                                switchHref: "/?lang=\(other)", probabilityNote: nil)
        return render("error", ErrorPageView(chrome, status: error.status.rawValue, message: error.message))
    }
}

/// The page's words, in Chinese and English (the templates' `t`).
struct PageText {
    let brand, newApplicant, otherLanguage, footer, model, asOf: String
    let formTitle, uploadTitle, uploadHelp, uploadButton, entryTitle, entryHelp, notGiven, scoreButton, errorTitle, back: String
    let resultTitle, downloadXLSX, printHint, decision, client, rangeNotes: String
    /// The supervisor's list of decisions.
    let decisionsTitle, decisionsHelp, time, route, applicants: String
    let rank, offer, status: String
    /// The probability column's heading (a decision of an adverse-event model says "higher is worse").
    var probability: String
    let points, why: String
    /// The cost column's heading and its words: a loan's rate after subsidies and what it costs,
    /// a policy's worth.
    let cost, interest, worth: String
    let blocking, gap: String
    let indicative, interval, missing, source, path, supplements, supplementsHelp, nearest, nextAccounts, amount, term, rate, upTo, pointsUnit: String
    let notApplicable: String
    /// An offer's status (`pass`, `fail`, `unknown`) in words.
    let statusNames: [String: String]

    static func text(_ language: Language) -> PageText { language == .zh ? chinese : english }

    static let chinese = PageText(
        brand: "专精特新融资推荐", newApplicant: "新申请", otherLanguage: "English", footer: "FinRec 融资推荐：结果须经客户经理复核后签署",
        model: "模型", asOf: "评估日",
        formTitle: "企业融资评估", uploadTitle: "上传申请文件", uploadHelp: "CSV（首行为表头）、JSON 或 Excel（.xlsx，第一个工作表，首行为表头）；每行一家企业，最多 100 家。",
        uploadButton: "上传并评估", entryTitle: "逐项填写", entryHelp: "金额单位为万元；比例可写 0.12 或 12%。未填写的项目按缺失处理，不会被估算或加分。",
        notGiven: "未填写", scoreButton: "评估", errorTitle: "无法评估：", back: "返回",
        resultTitle: "评估结果", downloadXLSX: "下载 Excel（.xlsx）", printHint: "打印：使用浏览器的打印功能（Ctrl+P），版式已适配 A4 横向。",
        decision: "决策编号", client: "客户端", rangeNotes: "超出训练范围的数值",
        decisionsTitle: "审计记录", decisionsHelp: "各客户端最近的 100 条决策（最新在前）；点击编号查看当时的完整结果。按日期、客户端或企业导出：finrec audit。",
        time: "时间（UTC）", route: "途径", applicants: "企业数",
        rank: "排名", offer: "产品 / 板块", status: "状态", probability: "适配概率", points: "评分", why: "主要因素",
        cost: "贴息后年利率 / 可享金额", interest: "利息 ", worth: "可享 ",
        blocking: "阻碍规则（及来源）", gap: "差距与路径",
        indicative: "参考值（样本少）", interval: "95%区间", missing: "缺少：", source: "来源：", path: "路径：",
        supplements: "补充资料", supplementsHelp: "以下资料未提供；补充后可能提高评分（按模型最多可加的分数）：", nearest: "最近标准：", nextAccounts: "现有财务数据无法达到，最早待",
        amount: "额度：", term: "期限：", rate: "利率/贴息：", upTo: "最多 +", pointsUnit: " 分",
        notApplicable: "不适用",
        statusNames: ["pass": "符合", "fail": "不符合", "unknown": "待定"])

    static let english = PageText(
        brand: "SRDI financing", newApplicant: "New applicant", otherLanguage: "中文", footer: "FinRec recommendations: an officer reviews and signs every result",
        model: "model", asOf: "as of",
        formTitle: "Financing assessment", uploadTitle: "Upload applicants", uploadHelp: "CSV (header line first), JSON or Excel (.xlsx, first sheet, header row first); one enterprise per row, at most 100.",
        uploadButton: "Upload and assess", entryTitle: "Enter one applicant", entryHelp: "Money in 万元 (10,000 yuan); ratios as 0.12 or 12%. Fields left empty are missing: never guessed, never rewarded.",
        notGiven: "not given", scoreButton: "Assess", errorTitle: "Cannot assess:", back: "Back",
        resultTitle: "Assessment", downloadXLSX: "Download Excel (.xlsx)", printHint: "Print with the browser (Ctrl+P); the layout is set for A4 landscape.",
        decision: "Decision", client: "client", rangeNotes: "Values outside the training range",
        decisionsTitle: "Decisions", decisionsHelp: "The newest 100 decisions of every client (newest first); open one by its number to see the result as given. Export by date, client or enterprise with finrec audit.",
        time: "Time (UTC)", route: "Route", applicants: "Applicants",
        rank: "Rank", offer: "Offer", status: "Status", probability: "Probability", points: "Points", why: "Main factors",
        cost: "Rate after subsidies / worth", interest: "interest ", worth: "worth ",
        blocking: "Blocking rules (and sources)", gap: "Gap and path",
        indicative: "indicative (few cases)", interval: "95% interval", missing: "missing:", source: "source:", path: "path:",
        supplements: "Supplementary documents", supplementsHelp: "Not given; providing them may raise the score (by at most):", nearest: "nearest standard: ", nextAccounts: "out of reach with the current accounts; at the earliest with ",
        amount: "amount: ", term: "term: ", rate: "rate/subsidy: ", upTo: "up to +", pointsUnit: " points",
        notApplicable: "Does not apply",
        statusNames: ["pass": "eligible", "fail": "not eligible", "unknown": "undecided"])
}
