extension EligibilityGap.Item {
    /// One shortfall as `score --format json` and `rank` JSON show it.
    var json: JSONValue {
        .object(JSONObject([("condition", .string(conditionID)), ("status", .string(status.code)),
                            ("value", .optional(value)), ("threshold", .optional(threshold)),
                            ("shortfall", .optional(shortfall)), ("cost", cost.isFinite ? .number(cost) : .null), ("text", .string(text)),
                            ("closes", closes.map { .string($0.rawValue) } ?? .null),
                            ("missing_fields", .array(missingFields.map(JSONValue.string)))]))
    }
}

extension EligibilityGap {
    /// `{"distance", "reachable", "next_accounts", "standards", "items"}`.
    var json: JSONValue {
        .object(JSONObject([("distance", reachable ? .number(distance) : .null), ("reachable", .bool(reachable)),
                            ("next_accounts", nextAccounts.map { a in
                                .object(JSONObject([("fiscal_year", .optional(a.fiscalYear.map(Double.init))), ("distance", .number(a.distance)),
                                                    ("text", .string(a.text))]))
                            } ?? .null),
                            ("standards", .array(standards.map(JSONValue.string))),
                            ("items", .array(items.map(\.json)))]))
    }
}

extension OfferPath {
    /// `{"text", "steps": [{"id", "label", "done", "offer", "offer_status", "gap", "required_months", "months_left", "earliest", "text"}]}`.
    var json: JSONValue {
        .object(JSONObject([
            ("text", .string(text)),
            ("steps", .array(steps.map { s in
                .object(JSONObject([
                    ("id", .string(s.id)), ("label", .string(s.label)), ("done", .string(s.done.code)),
                    ("offer", s.offer.map(JSONValue.string) ?? .null), ("offer_status", s.offerStatus.map { .string($0.code) } ?? .null),
                    ("gap", s.gap?.json ?? .null), ("required_months", .optional(s.requiredMonths.map(Double.init))),
                    ("months_left", .optional(s.monthsLeft.map(Double.init))), ("earliest", s.earliest.map(JSONValue.string) ?? .null),
                    ("text", .string(s.text)),
                ]))
            })),
        ]))
    }
}
