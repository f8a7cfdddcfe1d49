extension EligibilityGap.Item {
    /// One shortfall as `score --format json` and `rank` JSON show it.
    var json: JSONValue {
        .object(JSONObject([("condition", .string(conditionID)), ("status", .string(status.code)),
                            ("value", .optional(value)), ("threshold", .optional(threshold)),
                            ("shortfall", .optional(shortfall)), ("cost", .number(cost)), ("text", .string(text))]))
    }
}

extension EligibilityGap {
    /// `{"distance", "standards", "items"}`.
    var json: JSONValue {
        .object(JSONObject([("distance", .number(distance)), ("standards", .array(standards.map(JSONValue.string))),
                            ("items", .array(items.map(\.json)))]))
    }
}
