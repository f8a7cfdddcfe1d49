import FinRec
import Foundation
import Testing

/// The catalog's `kinds`: what the shipped catalog declares, what a catalog without them gets, and
/// every way a declaration is refused.
@Suite("Catalog: offer kinds as data")
struct OfferKindTests {
    /// Models/catalog.json as a mutable JSON object.
    static func shippedJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: repositoryRoot() + "/Models/catalog.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func decode(_ object: [String: Any]) throws(CatalogError) -> Catalog {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return try Catalog.decode(Array(data), path: "test-catalog.json")
    }

    /// The error decoding `object` gives, nil when it decodes.
    static func error(_ object: [String: Any]) -> CatalogError? {
        do {
            _ = try decode(object)
            return nil
        } catch {
            return error
        }
    }

    /// The kinds every catalog before the 资本赋能 offers had.
    static let coreKinds: Set<String> = ["loan", "board", "tier"]

    /// The shipped catalog's offers of the three core kinds only (loans, boards, tiers).
    static func coreJSON() throws -> [String: Any] {
        var object = try shippedJSON()
        let offers = try #require(object["offers"] as? [[String: Any]])
        object["offers"] = offers.filter { coreKinds.contains($0["kind"] as? String ?? "") }
        return object
    }

    /// The core catalog with its kinds replaced by `kinds`.
    static func with(kinds: [[String: Any]]) throws -> [String: Any] {
        var object = try coreJSON()
        object["kinds"] = kinds
        return object
    }

    static var loanKind: [String: Any] {
        ["id": "loan", "list": "loans", "list_zh": "贷款产品", "list_en": "Loans", "order": 1,
         "probability": true, "best": "best_loan"]
    }
    static var boardKind: [String: Any] {
        ["id": "board", "list": "listing", "list_zh": "上市路径", "list_en": "Listing paths", "order": 2,
         "probability": true, "best": "best_listing"]
    }
    static var tierKind: [String: Any] {
        ["id": "tier", "list": "tiers", "list_zh": "资质升级", "list_en": "Tier upgrades", "order": 3,
         "probability": false]
    }

    @Test("The shipped catalog declares loan, board and tier with the list keys, titles and best columns the outputs have always used, then supply-chain finance, equity and policies")
    func shippedKinds() throws {
        let kinds = shippedCatalog.kinds
        #expect(kinds.map(\.id) == ["loan", "board", "tier", "supply_chain", "equity", "policy"])
        #expect(kinds.map(\.list.id) == ["loans", "listing", "tiers", "supply_chain", "equity", "policy"])
        #expect(kinds.map(\.list.chinese) == ["贷款产品", "上市路径", "资质升级", "供应链金融", "股权融资", "可享政策"])
        #expect(kinds.map(\.list.english) == ["Loans", "Listing paths", "Tier upgrades", "Supply-chain finance", "Equity investment", "Policy support"])
        #expect(kinds.map(\.probability) == [true, true, false, true, true, false])
        #expect(kinds.map(\.best) == ["best_loan", "best_listing", nil, "best_supply_chain", "best_equity", nil])
        #expect(shippedCatalog.lists.map(\.id) == ["loans", "listing", "tiers", "supply_chain", "equity", "policy"])
        #expect(shippedCatalog.bestColumns == ["best_loan", "best_listing", "best_supply_chain", "best_equity"])
        // Every offer's kind is one of the declared ones, and the shipped offers keep their kinds.
        #expect(shippedCatalog.offers.map(\.kind.id) == Array(repeating: "loan", count: 5) + Array(repeating: "board", count: 6)
            + Array(repeating: "tier", count: 5) + Array(repeating: "supply_chain", count: 2) + Array(repeating: "equity", count: 4)
            + Array(repeating: "policy", count: 9))
        // Policies carry a benefit and no probability; loans and supply-chain finance a price.
        #expect(shippedCatalog.offers.allSatisfy { ($0.benefit != nil) == ($0.kind.id == "policy") })
        #expect(shippedCatalog.offers.allSatisfy { ($0.price != nil) == ["loan", "supply_chain"].contains($0.kind.id) })
    }

    @Test("A catalog without kinds (every model file written before them) gets loan, board, tier and product as before")
    func defaultKinds() throws {
        var object = try Self.coreJSON()
        object.removeValue(forKey: "kinds")
        let old = try Self.decode(object)
        #expect(old.kinds == Catalog.defaultKinds)
        #expect(old.kinds.map(\.id) == ["loan", "board", "tier", "product"])
        // The declared kinds of the shipped catalog start with the defaults' first three.
        #expect(Array(old.kinds.prefix(3)) == Array(shippedCatalog.kinds.prefix(3)))
        #expect(zip(old.offers, shippedCatalog.offers).allSatisfy { $0.kind == $1.kind })
        // product: a generic model's label, in the loans list, sharing the best loan column.
        let product = try #require(old.kinds.last)
        #expect(product.list.id == "loans" && product.probability && product.best == "best_loan")
        #expect(old.lists.map(\.id) == ["loans", "listing", "tiers"] && old.bestColumns == ["best_loan", "best_listing"])

        // A model file carries its catalog verbatim: the shipped one declares the kinds; the same
        // file written before kinds (its catalog without them) reads with the defaults.
        let shipped = try TrainedModel.read(from: repositoryRoot() + "/Models/default-model.json")
        #expect(shipped.catalog.kinds == shippedCatalog.kinds)
        guard case .object(var root) = try JSONValue.parse(try FileBytes.read(repositoryRoot() + "/Models/default-model.json")),
              case .object(var catalog)? = root["catalog"] else { Issue.record("no catalog in the shipped model"); return }
        #expect(catalog["kinds"] != nil)
        catalog["kinds"] = nil
        // Before kinds were declared a catalog held loans, boards and tiers only.
        if case .array(let offers)? = catalog["offers"] {
            catalog["offers"] = .array(offers.filter { offer in
                guard case .object(let o) = offer, case .string(let kind)? = o["kind"] else { return false }
                return Self.coreKinds.contains(kind)
            })
        }
        root["catalog"] = .object(catalog)
        let model = try TrainedModel.decode(Array(JSONValue.object(root).compact().utf8), path: "old-model.json")
        #expect(model.catalog.kinds == Catalog.defaultKinds)
        // A generic model's catalog names no kinds: its products are of kind product.
        let generic = try Catalog.generic(products: ["default"], schema: EnterpriseSchema.schema)
        #expect(generic.offers.map(\.kind.id) == ["product"] && generic.offers[0].kind.list.id == "loans")
    }

    @Test("A fourth kind between loans and listing: its list is shown in its order and its best column comes in that order")
    func fourthKind() throws {
        let equity: [String: Any] = ["id": "equity", "list": "equity", "list_zh": "股权融资", "list_en": "Equity financing", "order": 2,
                                     "probability": true, "best": "best_equity"]
        var board = Self.boardKind, tier = Self.tierKind
        board["order"] = 3
        tier["order"] = 4
        // Declared in any order: shown by order.
        let catalog = try Self.decode(try Self.with(kinds: [tier, Self.loanKind, board, equity]))
        #expect(catalog.lists.map(\.id) == ["loans", "equity", "listing", "tiers"])
        #expect(catalog.lists.map { $0.title(.zh) } == ["贷款产品", "股权融资", "上市路径", "资质升级"])
        #expect(catalog.lists.map { $0.title(.en) } == ["Loans", "Equity financing", "Listing paths", "Tier upgrades"])
        #expect(catalog.bestColumns == ["best_loan", "best_equity", "best_listing"])
    }

    @Test("An offer naming an undeclared kind is refused with the offer and the declared kinds")
    func unknownKind() throws {
        var object = try Self.with(kinds: [Self.loanKind, Self.boardKind, Self.tierKind])
        var offers = try #require(object["offers"] as? [[String: Any]])
        offers[6]["kind"] = "equity"
        object["offers"] = offers
        let error = try #require(Self.error(object))
        #expect(error.path == "test-catalog.json" && error.field == "offers[6].kind", "\(error)")
        #expect(error.message.contains("'\(offers[6]["id"]!)'") && error.message.contains("'equity'")
                && error.message.contains("loan, board, tier"), "\(error)")
        // The default kinds do not know equity either.
        object.removeValue(forKey: "kinds")
        #expect(Self.error(object)?.message.contains("loan, board, tier, product") == true)
    }

    @Test("Duplicate ids, missing titles, lists that disagree, shared orders, a best without probability and an empty list are refused with the field")
    func refusedDeclarations() throws {
        func refusal(_ kinds: [[String: Any]]) throws -> CatalogError? { Self.error(try Self.with(kinds: kinds)) }
        let twice = try #require(try refusal([Self.loanKind, Self.boardKind, Self.tierKind, Self.loanKind]))
        #expect(twice.field == "kinds[3].id" && twice.message.contains("'loan' appears twice"), "\(twice)")

        for key in ["list_zh", "list_en", "list", "order", "probability"] {
            var board = Self.boardKind
            board.removeValue(forKey: key)
            let missing = try #require(try refusal([Self.loanKind, board, Self.tierKind]), "\(key)")
            #expect(missing.field == "kinds[1].\(key)" && missing.message == "missing", "\(missing)")
        }
        var blank = Self.boardKind
        blank["list_en"] = ""
        #expect(try refusal([Self.loanKind, blank, Self.tierKind])?.field == "kinds[1].list_en")

        // A second kind in the loans list with another title.
        let product: [String: Any] = ["id": "product", "list": "loans", "list_zh": "贷款", "list_en": "Loans", "order": 1, "probability": true]
        let disagree = try #require(try refusal([Self.loanKind, Self.boardKind, Self.tierKind, product]))
        #expect(disagree.field == "kinds[3].list" && disagree.message.contains("'loan'"), "\(disagree)")
        // …with the same titles, it shares the list.
        var same = product
        same["list_zh"] = "贷款产品"
        #expect(try Self.decode(try Self.with(kinds: [Self.loanKind, Self.boardKind, Self.tierKind, same])).lists.count == 3)

        var clash = Self.tierKind
        clash["order"] = 2
        let order = try #require(try refusal([Self.loanKind, Self.boardKind, clash]))
        #expect(order.field == "kinds[2].order" && order.message.contains("'listing'"), "\(order)")

        var bestWithout = Self.tierKind
        bestWithout["best"] = "best_tier"
        #expect(try refusal([Self.loanKind, Self.boardKind, bestWithout])?.field == "kinds[2].best")
        var badPrefix = Self.boardKind
        badPrefix["best"] = "best listing"
        #expect(try refusal([Self.loanKind, badPrefix, Self.tierKind])?.field == "kinds[1].best")
        var unknownKey = Self.boardKind
        unknownKey["title"] = "x"
        #expect(try refusal([Self.loanKind, unknownKey, Self.tierKind])?.field == "kinds[1].title")
        #expect(try refusal([])?.field == "kinds")
    }
}
