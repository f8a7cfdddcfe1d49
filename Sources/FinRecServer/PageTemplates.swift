/// The officer's page: Mustache templates (HTML-escaped by default) and its one stylesheet. No
/// script anywhere: the Content-Security-Policy forbids it, and the page works without it.
enum PageTemplates {
    static let layout = """
    <!DOCTYPE html>
    <html lang="{{lang}}">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · FinRec</title>
    <link rel="stylesheet" href="/static/finrec.css">
    </head>
    <body>
    <header class="bar">
      <a class="brand" href="/?lang={{lang}}">FinRec {{t.brand}}</a>
      <nav>
        <a href="/?lang={{lang}}">{{t.newApplicant}}</a>
        <a id="switch-language" href="{{switchHref}}">{{t.otherLanguage}}</a>
      </nav>
    </header>
    <main>
    {{> content}}
    </main>
    <footer>{{t.footer}} · {{t.model}} {{modelShort}} · {{t.asOf}} {{asOf}}{{#probabilityNote}}<p id="probability-note">{{probabilityNote}}</p>{{/probabilityNote}}</footer>
    </body>
    </html>
    """

    static let form = """
    <h1>{{t.formTitle}}</h1>
    {{#error}}<div class="error" id="error" role="alert"><strong>{{t.errorTitle}}</strong> {{message}}</div>{{/error}}
    <section class="card">
    <h2>{{t.uploadTitle}}</h2>
    <form method="post" action="/score?lang={{lang}}" enctype="multipart/form-data" id="upload-form">
      <input type="hidden" name="lang" value="{{lang}}">
      <p>{{t.uploadHelp}}</p>
      <input type="file" name="file" id="file" accept=".csv,.json,.jsonl,.xlsx" required>
      <button type="submit" id="upload-submit">{{t.uploadButton}}</button>
    </form>
    </section>
    <section class="card">
    <h2>{{t.entryTitle}}</h2>
    <p>{{t.entryHelp}}</p>
    <form method="post" action="/score?lang={{lang}}" id="applicant-form">
      <input type="hidden" name="lang" value="{{lang}}">
      <div class="grid">
      {{#fields}}
        <label for="f-{{name}}"><span class="label">{{label}}{{#required}} <b class="req">*</b>{{/required}}</span> <code>{{name}}</code>
        {{#hasOptions}}
          <select id="f-{{name}}" name="{{name}}">
            <option value="">{{t.notGiven}}</option>
            {{#options}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{text}}</option>{{/options}}
          </select>
        {{/hasOptions}}
        {{^hasOptions}}
          <input id="f-{{name}}" name="{{name}}" type="{{inputType}}" value="{{value}}" placeholder="{{placeholder}}"{{#required}} required{{/required}}>
        {{/hasOptions}}
        </label>
      {{/fields}}
      </div>
      <button type="submit" id="score-submit">{{t.scoreButton}}</button>
    </form>
    </section>
    """

    static let result = """
    <div class="actions noprint">
      <a class="button" id="download-xlsx" href="/decisions/{{decision}}.xlsx">{{t.downloadXLSX}}</a>
      <span class="hint">{{t.printHint}}</span>
    </div>
    <p class="meta">{{t.decision}} #{{decision}} · {{time}} · {{t.client}} {{client}} · {{t.asOf}} {{asOf}} · {{t.model}} {{modelShort}}</p>
    {{#encodingNote}}<p class="notes" id="encoding-note">{{encodingNote}}</p>{{/encodingNote}}
    {{#enterprises}}
    <article class="enterprise">
      <h1>{{name}} <small>{{id}}</small></h1>
      <dl class="figures">{{#figures}}<div><dt>{{label}}</dt><dd>{{text}}</dd></div>{{/figures}}</dl>
      {{#hasNotes}}<div class="notes"><h3>{{t.rangeNotes}}</h3><ul>{{#notes}}<li>{{.}}</li>{{/notes}}</ul></div>{{/hasNotes}}
      {{#lists}}
      <section class="list" id="list-{{key}}">
        <h2>{{title}}</h2>
        <table class="offers">
          <colgroup><col class="c-rank"><col class="c-offer"><col class="c-status"><col class="c-prob"><col class="c-points"><col class="c-cost"><col class="c-why"><col class="c-blocking"><col class="c-gap"></colgroup>
          <thead><tr><th>{{t.rank}}</th><th>{{t.offer}}</th><th>{{t.status}}</th><th>{{t.probability}}</th><th>{{t.points}}</th><th class="wraps">{{t.cost}}</th><th>{{t.why}}</th><th>{{t.blocking}}</th><th>{{t.gap}}</th></tr></thead>
          <tbody>
          {{#offers}}
          <tr class="offer status-{{status}}" id="offer-{{id}}">
            <td class="num">{{rank}}</td>
            <td><strong>{{nameZh}}</strong><br><small>{{nameEn}}</small>{{#terms}}<div class="terms">{{.}}</div>{{/terms}}{{#cost}}<div class="cost">{{.}}</div>{{/cost}}</td>
            <td><span class="badge {{status}}">{{statusText}}</span>{{#indicative}}<br><small>{{t.indicative}}</small>{{/indicative}}</td>
            <td class="num">{{probability}}{{#interval}}<br><small>{{t.interval}} {{interval}}</small>{{/interval}}</td>
            <td class="num">{{points}}</td>
            <td class="num">{{#rate}}<strong>{{rate}}</strong>{{/rate}}{{#charge}}<br><small>{{charge}}</small>{{/charge}}{{#worth}}<strong>{{worth}}</strong>{{/worth}}</td>
            <td><ul class="codes">{{#up}}<li class="up">{{.}}</li>{{/up}}{{#down}}<li class="down">{{.}}</li>{{/down}}</ul>{{#warnings}}<div class="warning">{{.}}</div>{{/warnings}}</td>
            <td>{{#reasons}}<div class="reason">{{text}}{{#missing}}<br><small>{{t.missing}} {{missing}}</small>{{/missing}}<br><small class="source">{{t.source}} {{source}}</small></div>{{/reasons}}</td>
            <td>{{#gap}}<div>{{.}}</div>{{/gap}}{{#path}}<div class="path">{{t.path}} {{path}}</div>{{/path}}</td>
          </tr>
          {{/offers}}
          </tbody>
        </table>
      </section>
      {{/lists}}
      {{#hasSupplements}}
      <section class="supplements" id="supplements">
        <h2>{{t.supplements}}</h2>
        <p>{{t.supplementsHelp}}</p>
        <ul>{{#supplements}}<li>{{.}}</li>{{/supplements}}</ul>
      </section>
      {{/hasSupplements}}
      {{#hasNotApplicable}}
      <section class="not-applicable" id="not-applicable">
        <h2>{{t.notApplicable}}</h2>
        <ul>{{#notApplicable}}<li>{{.}}</li>{{/notApplicable}}</ul>
      </section>
      {{/hasNotApplicable}}
    </article>
    {{/enterprises}}
    """

    /// `GET /` for a supervisor: the newest decisions of every client, each a link to its page.
    static let decisions = """
    <h1>{{t.decisionsTitle}}</h1>
    <p>{{t.decisionsHelp}}</p>
    <table class="decisions" id="decisions">
    <thead><tr><th>{{t.decision}}</th><th>{{t.time}}</th><th>{{t.client}}</th><th>{{t.route}}</th><th>{{t.applicants}}</th></tr></thead>
    <tbody>
    {{#rows}}<tr><td><a href="/decisions/{{id}}">{{id}}</a></td><td>{{time}}</td><td>{{client}}</td><td>{{route}}</td><td>{{applicants}}</td></tr>
    {{/rows}}
    </tbody>
    </table>
    """

    static let error = """
    <h1>{{t.errorTitle}} {{status}}</h1>
    <div class="error" id="error" role="alert">{{message}}</div>
    <p><a href="/?lang={{lang}}">{{t.back}}</a></p>
    """

    static let stylesheet = """
    :root { --ink: #1d2733; --muted: #5b6673; --line: #d6dbe1; --pass: #1f7a3d; --fail: #a12a2a; --unknown: #8a6d00; --brand: #0b4f8a; }
    * { box-sizing: border-box; }
    body { margin: 0; font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: #f5f7f9; font-size: 14px; }
    .bar { display: flex; justify-content: space-between; align-items: center; background: var(--brand); color: #fff; padding: 10px 24px; }
    .bar a { color: #fff; text-decoration: none; margin-left: 16px; }
    .bar .brand { font-weight: bold; font-size: 16px; margin-left: 0; }
    main { max-width: 1280px; margin: 0 auto; padding: 16px 24px; }
    footer { color: var(--muted); font-size: 12px; text-align: center; padding: 16px; }
    h1 { font-size: 22px; margin: 8px 0 12px; }
    h1 small { color: var(--muted); font-size: 14px; font-weight: normal; }
    h2 { font-size: 17px; margin: 18px 0 8px; border-left: 4px solid var(--brand); padding-left: 8px; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 18px; margin-bottom: 16px; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px 16px; }
    .grid label { display: flex; flex-direction: column; font-size: 13px; }
    .grid label code { color: var(--muted); font-size: 11px; }
    .grid input, .grid select { margin-top: 3px; padding: 5px 6px; border: 1px solid #b8c0c9; border-radius: 4px; font: inherit; }
    .req { color: var(--fail); }
    button, .button { display: inline-block; margin-top: 12px; background: var(--brand); color: #fff; border: 0; border-radius: 4px; padding: 8px 18px; font: inherit; text-decoration: none; cursor: pointer; }
    .error { background: #fdecec; border: 1px solid #e4a5a5; color: #7a1c1c; padding: 10px 14px; border-radius: 4px; margin-bottom: 12px; white-space: pre-wrap; }
    .meta, .hint { color: var(--muted); font-size: 12px; }
    .actions { display: flex; gap: 16px; align-items: baseline; }
    table { border-collapse: collapse; width: 100%; background: #fff; }
    th, td { border: 1px solid var(--line); padding: 5px 8px; vertical-align: top; text-align: left; }
    thead th { background: #eef2f6; white-space: nowrap; } thead th.wraps { white-space: normal; }
    .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 0; margin: 0 0 8px; background: #fff; border: 1px solid var(--line); }
    .figures div { display: flex; justify-content: space-between; border-bottom: 1px solid var(--line); border-right: 1px solid var(--line); padding: 4px 8px; }
    .figures dt { color: var(--muted); } .figures dd { margin: 0 0 0 8px; font-weight: bold; text-align: right; }
    table.offers { table-layout: fixed; }
    .c-rank { width: 4%; } .c-offer { width: 16%; } .c-status { width: 6%; } .c-prob { width: 8%; } .c-points { width: 5%; } .c-cost { width: 8%; }
    .c-why { width: 18%; } .c-blocking { width: 21%; } .c-gap { width: 14%; }
    td { overflow-wrap: anywhere; }
    .source { font-size: 11px; }
    .num { text-align: right; white-space: nowrap; }
    .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; white-space: nowrap; }
    .badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.unknown { background: var(--unknown); }
    tr.status-fail { background: #fcf8f8; }
    ul.codes { margin: 0; padding-left: 16px; } li.up { color: var(--pass); } li.down { color: var(--fail); }
    .reason { margin-bottom: 4px; } .source { color: var(--muted); }
    .terms, .path { color: var(--muted); font-size: 12px; margin-top: 3px; }
    .cost { font-size: 12px; margin-top: 3px; }
    .warning { color: var(--unknown); font-size: 12px; }
    .notes, .supplements { background: #fffbea; border: 1px solid #eadf9f; border-radius: 4px; padding: 6px 14px; margin: 8px 0; }
    @media print {
      body { background: #fff; font-size: 10.5pt; }
      .bar, .noprint, footer nav { display: none; }
      main { max-width: none; padding: 0; }
      a { color: inherit; text-decoration: none; }
      .enterprise { page-break-after: always; }
      tr { page-break-inside: avoid; }
      .badge { color: #000; border: 1px solid #000; background: none !important; }
      @page { size: A4 landscape; margin: 12mm; }
    }
    """
}
