/// The API's description (OpenAPI 3.1), served at `/v1/openapi.json`. The score and rank
/// documents themselves are the CLI's contracts (finrec-score version 2, finrec-rank version 1),
/// described field by field in README.md.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "FinRec 专精特新融资推荐 API",
        "version": "1",
        "description": "Scores applicants for every loan (贷款产品), listing path (上市路径), tier (资质升级), supply-chain finance (供应链金融), equity investment (股权融资) and policy (可享政策) of the catalog, with the rules that block the rest, what each loan costs after the subsidies the applicant is entitled to, and ranks pools. Every decision is committed to the audit log before the response is sent; its row id is in the X-FinRec-Decision header. Money is in 万元. With --tokens, every route but /healthz needs Authorization: Bearer TOKEN, and the token's roles decide what it may do: officer (score, rank, plan, its own decisions), supervisor (every client's decisions), admin (/metrics, /v1/model); a route the roles do not cover answers 403. With --rate-limit, a client past its requests a second gets 429 with Retry-After."
      },
      "servers": [{"url": "/"}],
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "A token made by `finrec token NAME --role ROLE --tokens FILE`; only needed when the service runs with --tokens."}
        },
        "parameters": {
          "lang": {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"}, "description": "Language of reasons and labels; offer names always carry their Chinese name."},
          "reasons": {"name": "reasons", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 50, "default": 3}, "description": "Reason codes up and down per offer."}
        },
        "headers": {
          "decision": {"description": "Row id of this decision in the audit log (`finrec audit`).", "schema": {"type": "integer"}}
        },
        "schemas": {
          "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["status", "message"], "properties": {
              "status": {"type": "integer"}, "message": {"type": "string", "description": "What went wrong and what to do."},
              "line": {"type": "integer"}, "column": {"type": "integer"}, "field": {"type": "string"}}}}
          },
          "Applicant": {
            "type": "object", "additionalProperties": true,
            "description": "One enterprise; keys as the CSV headers (English, Chinese or aliases; `finrec schema` lists them), values as in a CSV cell. Missing keys are missing data, never guessed.",
            "required": ["enterprise_id"],
            "properties": {"enterprise_id": {"type": "string", "description": "统一社会信用代码, 18 characters, check character validated."}}
          },
          "ScoreDocument": {"type": "object", "description": "finrec-score, format_version 2: as `finrec score --format json` prints it.", "required": ["format", "format_version", "enterprises"],
            "properties": {"format": {"const": "finrec-score"}, "format_version": {"type": "integer"}, "as_of": {"type": "string"},
              "enterprises": {"type": "array", "items": {"type": "object", "properties": {"offers": {"type": "array", "items": {"$ref": "#/components/schemas/Offer"}}}}}}},
          "Offer": {"type": "object", "description": "One offer for one applicant (the catalog's kinds are listed by /v1/offers).", "required": ["id", "kind", "name_zh", "status", "list"],
            "properties": {"id": {"type": "string"}, "kind": {"type": "string", "description": "The catalog's kind: loan, board, tier, supply_chain, equity, policy (or product for a generic model)."},
              "name_zh": {"type": "string"}, "status": {"type": "string", "enum": ["pass", "fail", "unknown"]}, "list": {"type": "string"},
              "probability": {"type": ["number", "null"]}, "points": {"type": ["number", "null"]},
              "cost": {"$ref": "#/components/schemas/Cost"},
              "benefit": {"type": ["number", "null"], "description": "A policy's worth in 万元; null with benefit_note when it cannot be put in money."},
              "benefit_note": {"type": ["string", "null"]}}},
          "Cost": {"type": "object", "description": "A loan or supply-chain offer that is open or undecided: its cost over the term after the subsidies the applicant is entitled to. Rates are annual fractions, money in 万元.",
            "required": ["rate", "effective_rate", "amount", "term_months", "interest", "subsidies"],
            "properties": {"rate": {"type": "number"}, "rate_low": {"type": "number"}, "rate_high": {"type": "number"}, "effective_rate": {"type": "number"},
              "lpr": {"type": ["number", "null"]}, "lpr_tenor": {"type": ["string", "null"], "enum": ["one_year", "five_year", null]}, "lpr_date": {"type": "string"},
              "amount": {"type": "number"}, "term_months": {"type": "number"}, "basis": {"type": "string", "enum": ["requested", "partly_requested", "typical"]},
              "interest": {"type": "number", "description": "Interest over the term after subsidies."}, "guarantee_fee": {"type": "number"}, "total": {"type": "number"},
              "subsidies": {"type": "array", "items": {"type": "object", "required": ["offer_id", "amount"], "properties": {"offer_id": {"type": "string"}, "name_zh": {"type": "string"}, "sort": {"type": "string"}, "amount": {"type": "number"}}}},
              "declined": {"type": "array"}, "possible": {"type": "array", "items": {"type": "string"}}, "text": {"type": "string"}, "notes": {"type": "array", "items": {"type": "string"}}}},
          "RankDocument": {"type": "object", "description": "finrec-rank, format_version 1: as `finrec rank --output x.json` writes it.", "required": ["format"],
            "properties": {"format": {"const": "finrec-rank"}}}
        },
        "responses": {
          "BadRequest": {"description": "Malformed request (bad JSON with its line and column, unknown or malformed query parameter).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unauthorized": {"description": "Token missing or not valid (only with --tokens).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TooLarge": {"description": "Body above the service's limit, or more than 10,000 applicants for /v1/score.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Timeout": {"description": "The body did not arrive in time.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "UnsupportedType": {"description": "Content-Type is not JSON or CSV.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unprocessable": {"description": "A value fails validation; the message names the record or line, the column or field, and the expected form.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Forbidden": {"description": "The token's roles do not allow this route; the message names the role needed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TooManyRequests": {"description": "Past the client's requests a second (--rate-limit); Retry-After says how many seconds to wait.", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unavailable": {"description": "The audit log could not be written: no decision was given.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "security": [{}, {"bearer": []}],
      "paths": {
        "/v1/score": {
          "post": {
            "summary": "Score one or many applicants (at most 10,000).",
            "parameters": [{"$ref": "#/components/parameters/lang"}, {"$ref": "#/components/parameters/reasons"},
              {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["probability", "cost"], "default": "probability"}, "description": "Order offers within a status by probability, or priced offers by their cost after subsidies."},
              {"name": "lpr", "in": "query", "schema": {"type": "string"}, "description": "Loan prime rates to cost loans at, 1-year and 5-year, e.g. 3.00%,3.50% (default: the catalog's table on the assessment date)."}],
            "requestBody": {"required": true, "content": {
              "application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/Applicant"}, {"type": "array", "items": {"$ref": "#/components/schemas/Applicant"}}]}},
              "application/x-ndjson": {"schema": {"type": "string", "description": "JSON Lines: one applicant object per line."}},
              "text/csv": {"schema": {"type": "string", "description": "A header line, then one applicant per line."}}}},
            "responses": {
              "200": {"description": "Every offer ranked per applicant, with probability, 95% interval, points, reason codes, blocking rules, gaps and paths.",
                      "headers": {"X-FinRec-Decision": {"$ref": "#/components/headers/decision"}},
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreDocument"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
              "408": {"$ref": "#/components/responses/Timeout"}, "413": {"$ref": "#/components/responses/TooLarge"},
              "403": {"$ref": "#/components/responses/Forbidden"}, "429": {"$ref": "#/components/responses/TooManyRequests"},
              "415": {"$ref": "#/components/responses/UnsupportedType"}, "422": {"$ref": "#/components/responses/Unprocessable"},
              "503": {"$ref": "#/components/responses/Unavailable"}}
          }
        },
        "/v1/rank": {
          "post": {
            "summary": "Rank a pool: the top K eligible and undecided enterprises per offer, and the near-misses.",
            "parameters": [{"$ref": "#/components/parameters/lang"}, {"$ref": "#/components/parameters/reasons"},
              {"name": "top", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
              {"name": "product", "in": "query", "schema": {"type": "string"}, "description": "Offer ids, comma-separated (default: every offer the model scores); a policy's entitled firms are listed by their benefit in 万元."},
              {"name": "near_miss", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 0}},
              {"name": "where", "in": "query", "schema": {"type": "string"}, "description": "A condition in the rule language, e.g. city == '济南'."},
              {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}],
            "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Applicant"}}}}},
            "responses": {
              "200": {"description": "The top lists.", "headers": {"X-FinRec-Decision": {"$ref": "#/components/headers/decision"}},
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RankDocument"}}, "text/csv": {"schema": {"type": "string"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
              "408": {"$ref": "#/components/responses/Timeout"}, "413": {"$ref": "#/components/responses/TooLarge"},
              "403": {"$ref": "#/components/responses/Forbidden"}, "429": {"$ref": "#/components/responses/TooManyRequests"},
              "415": {"$ref": "#/components/responses/UnsupportedType"}, "422": {"$ref": "#/components/responses/Unprocessable"},
              "503": {"$ref": "#/components/responses/Unavailable"}}
          }
        },
        "/v1/plan": {
          "post": {
            "summary": "Choose firms for programmes under capacities and city quotas (exactly: a minimum-cost flow) and forecast the targets; the plan format is finrec plan --example's.",
            "parameters": [{"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["plan", "enterprises"],
              "properties": {"plan": {"type": "object", "description": "A finrec-plan document."}, "enterprises": {"type": "array", "items": {"$ref": "#/components/schemas/Applicant"}}}}}}},
            "responses": {
              "200": {"description": "The chosen firms per programme, each programme's expected successes and their distribution, each target's forecast (finrec-plan-result).", "headers": {"X-FinRec-Decision": {"$ref": "#/components/headers/decision"}},
                      "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
              "408": {"$ref": "#/components/responses/Timeout"}, "413": {"$ref": "#/components/responses/TooLarge"},
              "403": {"$ref": "#/components/responses/Forbidden"}, "429": {"$ref": "#/components/responses/TooManyRequests"},
              "415": {"$ref": "#/components/responses/UnsupportedType"}, "422": {"$ref": "#/components/responses/Unprocessable"},
              "503": {"$ref": "#/components/responses/Unavailable"}}
          }
        },
        "/v1/decisions": {"get": {"summary": "Decisions from the audit log, newest last: a supervisor's of every client, an officer's own (as `finrec audit` exports them).",
          "parameters": [{"name": "since", "in": "query", "schema": {"type": "string"}, "description": "At or after this date (YYYY-MM-DD, UTC) or timestamp."},
            {"name": "until", "in": "query", "schema": {"type": "string"}, "description": "Before this date or timestamp."},
            {"name": "client", "in": "query", "schema": {"type": "string"}}, {"name": "route", "in": "query", "schema": {"type": "string"}, "description": "As logged, e.g. POST /v1/score."},
            {"name": "enterprise", "in": "query", "schema": {"type": "string"}, "description": "Decisions whose result names this enterprise id."},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}, "description": "The newest this many."},
            {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}],
          "responses": {"200": {"description": "An array of rows: id, time, client, route, input_sha256, model_sha256, applicants, kind, hash, result.", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}, "text/csv": {"schema": {"type": "string"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "429": {"$ref": "#/components/responses/TooManyRequests"}}}},
        "/v1/decisions/{id}": {"get": {"summary": "One decision as the audit log holds it (an officer's own, any for a supervisor).",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}],
          "responses": {"200": {"description": "The row, its result as the document sent.", "content": {"application/json": {"schema": {"type": "object"}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "No such decision that this token may read.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/v1/offers": {"get": {"summary": "The catalog: every offer with its conditions and their primary sources.", "responses": {"200": {"description": "finrec-offers", "content": {"application/json": {"schema": {"type": "object"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/v1/model": {"get": {"summary": "The model in service: products, features, provenance, metrics, SHA-256 (admin role).", "responses": {"200": {"description": "finrec-model-overview", "content": {"application/json": {"schema": {"type": "object"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
        "/v1/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/healthz": {"get": {"summary": "Liveness; no token needed.", "security": [{}], "responses": {"200": {"description": "ok and the model's SHA-256", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/metrics": {"get": {"summary": "Prometheus text: requests by route and status, latency histogram, decisions (admin role).", "responses": {"200": {"description": "Prometheus exposition format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}}
      }
    }
    """#
}
