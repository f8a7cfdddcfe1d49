/// What the page's Mustache templates (``PageTemplates``) render: one struct per template, read by
/// swift-mustache through `Mirror` (a stored property by its name).
///
/// How swift-mustache reads them, which these types rely on:
/// - an optional that is `nil` counts as absent: the name is looked up in the enclosing section's
///   value, then further out (as a missing dictionary key was); `{{#x}}` shows nothing for it;
/// - `{{#x}}` shows a `String` even when it is empty, so a text that may be empty and opens a section
///   is a `String?`, `nil` when empty (``PageViews/nonEmpty(_:)``);
/// - a `Bool` opens a section when true; an array repeats it once per element, `{{.}}` the element.
///
/// Every page view starts with the fields the layout shows (`lang` to `probabilityNote`).
enum PageViews {
    /// `nil` for an empty text (a section is not shown for it, and the name is looked up further out).
    static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}

/// The layout's fields, common to every page.
struct PageChrome {
    var lang: String
    var t: PageText
    var title: String
    var modelShort: String
    var asOf: String
    var switchHref: String
    var probabilityNote: String?
}

/// `GET /` and a form sent back with what to fix.
struct FormPageView {
    let lang: String, t: PageText, title: String, modelShort: String, asOf: String, switchHref: String
    let probabilityNote: String?
    /// What to fix, when the form comes back.
    let error: Message?
    let fields: [Field]

    init(_ chrome: PageChrome, error: String?, fields: [Field]) {
        (lang, t, title, modelShort, asOf, switchHref, probabilityNote) =
            (chrome.lang, chrome.t, chrome.title, chrome.modelShort, chrome.asOf, chrome.switchHref, chrome.probabilityNote)
        self.error = error.map(Message.init(message:))
        self.fields = fields
    }

    struct Message { let message: String }

    /// One field of the applicant: a select (`hasOptions`) or an input.
    struct Field {
        let name: String, label: String, required: Bool, value: String
        var hasOptions = false
        var options: [Option] = []
        var inputType: String?
        var placeholder: String?
    }

    struct Option { let code: String, text: String, selected: Bool }
}

/// `GET /decisions/N`: a decision as it was audited.
struct DecisionPageView {
    let lang: String, t: PageText, title: String, modelShort: String, asOf: String, switchHref: String
    let probabilityNote: String?
    /// The decision's number, when it was made, for which client.
    let decision: String, time: String, client: String
    /// How an uploaded file that was not UTF-8 was read ("按 GB18030 读取 …"), else nil.
    let encodingNote: String?
    let enterprises: [Enterprise]

    init(_ chrome: PageChrome, decision: String, time: String, client: String, encodingNote: String?, enterprises: [Enterprise]) {
        (lang, t, title, modelShort, asOf, switchHref, probabilityNote) =
            (chrome.lang, chrome.t, chrome.title, chrome.modelShort, chrome.asOf, chrome.switchHref, chrome.probabilityNote)
        (self.decision, self.time, self.client, self.encodingNote, self.enterprises) = (decision, time, client, encodingNote, enterprises)
    }

    struct Enterprise {
        let notApplicable: [String], hasNotApplicable: Bool
        let name: String, id: String
        let figures: [Figure]
        let notes: [String], hasNotes: Bool
        let lists: [OfferList]
        let supplements: [String], hasSupplements: Bool
    }

    struct Figure { let label: String, text: String }

    /// One list of offers (a kind of the catalog), titled.
    struct OfferList { let key: String, title: String, offers: [Offer] }

    /// One row of a list. The texts that may be empty are `nil` then (``PageViews/nonEmpty(_:)``).
    struct Offer {
        let id: String?, rank: Int, nameZh: String?, nameEn: String?, status: String?, statusText: String?
        let indicative: Bool
        let probability: String?, interval: String?, points: String?
        /// What helps the applicant (green) and what counts against it.
        let up: [String], down: [String], warnings: [String]
        let reasons: [Reason]
        let gap: [String], path: String?, terms: [String]
        /// A priced offer's annual rate after subsidies and what it costs over the term; a
        /// policy's worth; nil otherwise.
        let rate: String?, charge: String?, worth: String?
        /// The cost line and its notes (a policy's: how its worth was reckoned).
        let cost: [String]
    }

    /// A blocking rule, its source and the fields it lacks.
    struct Reason { let text: String?, source: String?, missing: String? }
}

/// The page of an error (HTML in the page's routes).
struct ErrorPageView {
    let lang: String, t: PageText, title: String, modelShort: String, asOf: String, switchHref: String
    let probabilityNote: String?
    let status: Int, message: String

    init(_ chrome: PageChrome, status: Int, message: String) {
        (lang, t, title, modelShort, asOf, switchHref, probabilityNote) =
            (chrome.lang, chrome.t, chrome.title, chrome.modelShort, chrome.asOf, chrome.switchHref, chrome.probabilityNote)
        (self.status, self.message) = (status, message)
    }
}

/// `GET /` for a supervisor: the newest decisions.
struct DecisionsPageView {
    let lang: String, t: PageText, title: String, modelShort: String, asOf: String, switchHref: String
    let probabilityNote: String?
    let rows: [Row]

    init(_ chrome: PageChrome, rows: [Row]) {
        (lang, t, title, modelShort, asOf, switchHref, probabilityNote) =
            (chrome.lang, chrome.t, chrome.title, chrome.modelShort, chrome.asOf, chrome.switchHref, chrome.probabilityNote)
        self.rows = rows
    }

    struct Row { let id: String, time: String, client: String, route: String, applicants: String }
}
