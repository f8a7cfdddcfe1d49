import FinRecBase
import FinRecRecords
/// One linear model per product over a shared, named feature vector.
///
/// The logit of product k for a standardised feature row x is
/// `intercepts[k] + Σⱼ weights[k][j]·x[j]`; ``LinearScorer`` computes it for all
/// products at once. Values are `Double`; a `Float` scorer rounds them.
package struct LinearModel: Sendable, Equatable {
    /// One product's coefficients, in the order of ``LinearModel/featureNames``.
    package struct Product: Sendable, Equatable {
        /// Stable id other systems key on, e.g. `srdi_loan`.
        package var id: String
        /// Chinese name shown to users, e.g. 专精特新贷.
        package var chineseName: String
        /// English name, e.g. "SRDI loan".
        package var englishName: String
        package var intercept: Double
        package var weights: [Double]

        package init(id: String, chineseName: String, englishName: String, intercept: Double, weights: [Double]) {
            self.id = id
            self.chineseName = chineseName
            self.englishName = englishName
            self.intercept = intercept
            self.weights = weights
        }

        /// "专精特新贷 (srdi_loan)": how every user-facing text names the product.
        package var displayName: String { "\(chineseName) (\(id))" }
    }

    package var featureNames: [String]
    package var products: [Product]

    package init(featureNames: [String], products: [Product]) {
        self.featureNames = featureNames
        self.products = products
    }

    /// The problems that make this model unusable, empty when it is sound: shapes,
    /// duplicate or empty names, non-finite values. ``ModelFile`` refuses to read or
    /// write a model with any.
    package func problems() -> [ModelProblem] {
        var found: [ModelProblem] = []
        if featureNames.isEmpty { found.append(.init(field: "feature_names", message: "is empty; a model needs at least one feature")) }
        if products.isEmpty { found.append(.init(field: "products", message: "is empty; a model needs at least one product")) }
        var seenFeatures = Set<String>()
        for (j, name) in featureNames.enumerated() {
            if name.isEmpty { found.append(.init(field: "feature_names[\(j)]", message: "is empty")) }
            if !seenFeatures.insert(name).inserted {
                found.append(.init(field: "feature_names[\(j)]", message: "repeats the feature name \"\(name)\""))
            }
        }
        var seenProducts = Set<String>()
        for (k, product) in products.enumerated() {
            let field = "products[\(k)]"
            if product.id.isEmpty { found.append(.init(field: "\(field).id", message: "is empty")) }
            if product.chineseName.isEmpty { found.append(.init(field: "\(field).name_zh", message: "is empty; every product needs its Chinese name")) }
            if !seenProducts.insert(product.id).inserted {
                found.append(.init(field: "\(field).id", message: "repeats the product id \"\(product.id)\""))
            }
            if product.weights.count != featureNames.count {
                found.append(.init(field: "\(field).weights",
                                   message: "has \(product.weights.count) values but the model has \(featureNames.count) features"))
            }
            if !product.intercept.isFinite {
                found.append(.init(field: "\(field).intercept", message: "is \(product.intercept), not a finite number"))
            }
            if let j = product.weights.firstIndex(where: { !$0.isFinite }) {
                found.append(.init(field: "\(field).weights[\(j)]", message: "is \(product.weights[j]), not a finite number"))
            }
        }
        return found
    }
}

/// One thing wrong with a model: the JSON field it is in and what is wrong.
package struct ModelProblem: Sendable, Equatable, CustomStringConvertible {
    package let field: String
    package let message: String
    package var description: String { "\(field) \(message)" }

    package init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
