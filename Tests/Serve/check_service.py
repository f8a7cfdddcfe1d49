"""Drives a running `finrec serve` over real sockets and prints what it saw as one JSON object;
the Swift tests (ServeCommandTests) start the server and assert on the report.

usage:
  check_service.py api URL FINREC MODEL DB          the API, hostile inputs, audit rows
  check_service.py reload URL PID MODEL_COPY DB     SIGHUP: atomic reload, in-flight request, bad file
  check_service.py kill URL PID DB SECONDS          load from 8 threads, SIGKILL, audit check
  check_service.py tokens URL TOKEN DB              bearer and basic tokens, /healthz open
  check_service.py xlsx URL CSV OUT.xlsx            upload a workbook made with openpyxl
  check_service.py forms URL TOKEN PROBES.json      each probe's status and the form of its answer

FINREC is the finrec executable (the CLI's own documents are the reference for the API's).
Run by the Swift tests with the .venv that `bash .ci/setup --tests` makes."""
import base64
import hashlib
import html
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APPLICANTS = os.path.join(ROOT, "Datasets", "applicants")
POOL = os.path.join(ROOT, "Datasets", "shandong-pool.csv")


def request(url, method, path, body=None, headers=None, timeout=60):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def error_of(data):
    try:
        return json.loads(data)["error"]
    except Exception:
        return {"raw": data[:300].decode("utf-8", "replace")}


def audit_rows(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM decisions").fetchone()[0]
    finally:
        con.close()


def stored_result(value, encoding):
    """A row's result as the text sent: inflated when the row says `deflate`."""
    raw = value.encode() if isinstance(value, str) else bytes(value)
    return (zlib.decompress(raw) if encoding == "deflate" else raw).decode("utf-8")


def sha(data):
    return hashlib.sha256(data).hexdigest()


def raw_exchange(url, payload, wait=0.0, then=b"", read_timeout=10):
    """Sends raw bytes, optionally waits and sends more; returns (status line, seconds until the
    server answered or closed)."""
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port))
    s.settimeout(read_timeout)
    started = time.time()
    s.sendall(payload)
    if wait:
        time.sleep(wait)
        if then:
            try:
                s.sendall(then)
            except OSError:
                pass
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and b"content-length" in data.lower():
                head, _, rest = data.partition(b"\r\n\r\n")
                length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
                if len(rest) >= length:
                    break
    except socket.timeout:
        return {"status": None, "closed": False, "seconds": time.time() - started}
    finally:
        s.close()
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    status = int(line.split()[1]) if line.startswith("HTTP/") else None
    body = data.partition(b"\r\n\r\n")[2]
    return {"status": status, "closed": True, "seconds": time.time() - started, "error": error_of(body) if status else None}


def api(url, finrec, model, db):
    out = {}
    code, _, data = request(url, "GET", "/healthz")
    out["healthz"] = {"status": code, "body": json.loads(data)}
    for path in ["/v1/model", "/v1/offers"]:
        code, headers, data = request(url, "GET", path)
        out[path] = {"status": code, "type": headers.get("content-type"), "body": json.loads(data)}
    code, _, data = request(url, "GET", "/v1/openapi.json")
    spec = json.loads(data)
    try:
        from openapi_spec_validator import validate
        validate(spec)
        out["openapi"] = {"status": code, "valid": True, "paths": sorted(spec["paths"])}
    except Exception as e:  # the report says why
        out["openapi"] = {"status": code, "valid": False, "why": str(e)[:500]}

    # Every shipped applicant: the API's document equals the CLI's, but for the model's name.
    same, decisions = [], []
    for name in sorted(os.listdir(APPLICANTS)):
        body = open(os.path.join(APPLICANTS, name), "rb").read()
        code, headers, data = request(url, "POST", "/v1/score?lang=zh&reasons=3", body, {"Content-Type": "application/json"})
        cli = json.loads(subprocess.run([finrec, "score", os.path.join(APPLICANTS, name), "--format", "json", "--model", model],
                                        capture_output=True, check=True).stdout)
        served = json.loads(data)
        cli.pop("model"), served.pop("model")
        same.append({"file": name, "status": code, "equal": cli == served})
        decisions.append({"id": int(headers["x-finrec-decision"]), "input": sha(body), "result": data.decode()})
    out["score_vs_cli"] = same

    # Many at once: a JSON array, JSON Lines and CSV.
    bodies = [json.load(open(os.path.join(APPLICANTS, n))) for n in sorted(os.listdir(APPLICANTS))]
    code, headers, data = request(url, "POST", "/v1/score?lang=en", json.dumps(bodies).encode(), {"Content-Type": "application/json"})
    out["score_array"] = {"status": code, "enterprises": len(json.loads(data)["enterprises"]), "language": json.loads(data)["language"]}
    decisions.append({"id": int(headers["x-finrec-decision"]), "input": sha(json.dumps(bodies).encode()), "result": data.decode()})
    lines = "\n".join(json.dumps(b) for b in bodies).encode()
    code, _, data = request(url, "POST", "/v1/score", lines, {"Content-Type": "application/x-ndjson"})
    out["score_jsonl"] = {"status": code, "enterprises": len(json.loads(data)["enterprises"])}
    head = b"".join(open(POOL, "rb").readlines()[:51])
    code, _, data = request(url, "POST", "/v1/score", head, {"Content-Type": "text/csv; charset=utf-8"})
    out["score_csv"] = {"status": code, "enterprises": len(json.loads(data)["enterprises"])}

    # A pool: the API's top lists equal `finrec rank`'s on the same file.
    pool = b"".join(open(POOL, "rb").readlines()[:2001])
    code, headers, data = request(url, "POST", "/v1/rank?top=20&near_miss=5", pool, {"Content-Type": "text/csv"})
    tmp = os.path.join(os.path.dirname(db), "pool-head.csv")
    open(tmp, "wb").write(pool)
    ref = tmp + ".rank.json"
    subprocess.run([finrec, "rank", "--input", tmp, "--top", "20", "--near-miss", "5", "--output", ref, "--model", model, "--quiet", "--force"], check=True)
    served, cli = json.loads(data), json.load(open(ref))
    for d in (served, cli):
        d.pop("model", None)
    out["rank_vs_cli"] = {"status": code, "equal": served == cli, "keys": sorted(served)}
    code, headers, data = request(url, "POST", "/v1/rank?top=5&format=csv&product=srdi_loan", pool, {"Content-Type": "text/csv"})
    out["rank_csv"] = {"status": code, "type": headers.get("content-type"), "lines": data.decode().count("\n")}

    # A plan over the shipped applicants: the API's result equals `finrec plan`'s on the same firms.
    plan = {"format": "finrec-plan", "format_version": 1, "max_programmes_per_firm": 1,
            "programmes": [{"id": "loans", "name_zh": "贷款对接", "capacity": 2, "offers": ["srdi_loan", "patent_loan", "project_loan"],
                            "status": ["eligible", "unknown"]},
                           {"id": "reform", "name_zh": "规范化公司制改制", "capacity": 1, "offers": ["neeq"], "by": "gap"}],
            "targets": [{"id": "loans", "name_zh": "贷款获批", "offers": ["srdi_loan", "patent_loan"], "target": 2}]}
    body = json.dumps({"plan": plan, "enterprises": bodies}, ensure_ascii=False).encode()
    code, headers, data = request(url, "POST", "/v1/plan", body, {"Content-Type": "application/json"})
    applicants_file = os.path.join(os.path.dirname(db), "applicants.json")
    plan_file = os.path.join(os.path.dirname(db), "plan.json")
    json.dump(bodies, open(applicants_file, "w"), ensure_ascii=False)
    json.dump(plan, open(plan_file, "w"), ensure_ascii=False)
    ref = plan_file + ".result.json"
    subprocess.run([finrec, "plan", "--input", applicants_file, "--plan", plan_file, "--output", ref, "--model", model, "--quiet", "--force"], check=True)
    served, cli = json.loads(data) if code == 200 else {"error": data.decode()}, json.load(open(ref))
    for d in (served, cli):
        d.pop("model", None), d.pop("plan", None)
    out["plan_vs_cli"] = {"status": code, "equal": served == cli, "served": served if served != cli else None}
    if code == 200:
        decisions.append({"id": int(headers["x-finrec-decision"]), "input": sha(body), "result": data.decode()})

    # Hostile inputs: each the right 4xx, a message, and no audit row.
    before = audit_rows(db)
    hostile = {}

    def probe(key, method, path, body=None, headers=None):
        code, h, data = request(url, method, path, body, headers)
        hostile[key] = {"status": code, "error": error_of(data), "type": h.get("content-type")}

    probe("bad_json", "POST", "/v1/score", b'{"enterprise_id": "9137", "revenue_y1": }', {"Content-Type": "application/json"})
    probe("not_json", "POST", "/v1/score", b"enterprise_id\n91370100MA3C5YQ12D\n", {"Content-Type": "application/json"})
    probe("wrong_type", "POST", "/v1/score", b"<x/>", {"Content-Type": "application/xml"})
    probe("no_type", "POST", "/v1/score", b"{}")
    probe("invalid_value", "POST", "/v1/score", json.dumps({"enterprise_id": "91370100MA3C5YQ12D", "revenue_y1": "lots"}).encode(),
          {"Content-Type": "application/json"})
    probe("empty_csv", "POST", "/v1/score", b"enterprise_id,name\n", {"Content-Type": "text/csv"})
    probe("unknown_route", "GET", "/v1/nothing")
    probe("wrong_method", "GET", "/v1/score")
    probe("bad_query", "POST", "/v1/score?reasons=99", b"{}", {"Content-Type": "application/json"})
    probe("unknown_query", "POST", "/v1/score?model=/etc/passwd", b"{}", {"Content-Type": "application/json"})
    probe("unknown_product", "POST", "/v1/rank?product=moon_loan", pool, {"Content-Type": "text/csv"})
    probe("plan_bad_shape", "POST", "/v1/plan", json.dumps({"enterprises": bodies}).encode(), {"Content-Type": "application/json"})
    too_many = dict(plan, programmes=[dict(plan["programmes"][0], capacity=50)])
    probe("plan_infeasible", "POST", "/v1/plan", json.dumps({"plan": too_many, "enterprises": bodies}).encode(), {"Content-Type": "application/json"})
    probe("too_large", "POST", "/v1/score", b"x" * (2 << 20), {"Content-Type": "text/csv"})
    probe("cross_site_form", "POST", "/score", b"enterprise_id=91370100MA3C5YQ12D",
          {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
    # A chunked body over the limit (no Content-Length to refuse it early).
    hostile["too_large_chunked"] = raw_exchange(url, b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                + b"".join(b"%x\r\n" % 65536 + b"a" * 65536 + b"\r\n" for _ in range(20)) + b"0\r\n\r\n")
    # A body that stops arriving: 408 after the service's timeout, not a held connection.
    hostile["slow_body"] = raw_exchange(url, b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"enterprise_id\":",
                                        read_timeout=20)
    # Headers that never end: the connection is closed after the idle timeout.
    hostile["slow_headers"] = raw_exchange(url, b"POST /v1/score HTTP/1.1\r\nHost: x\r\n", read_timeout=20)
    hostile["garbage"] = raw_exchange(url, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n")
    out["hostile"] = hostile
    out["audit_rows_added_by_hostile"] = audit_rows(db) - before

    # The audit rows of the decisions above: input and model hashes, the result as sent.
    model_sha = sha(open(model, "rb").read())
    con = sqlite3.connect(db)
    # The result is stored deflated (zlib), read back here with Python's own zlib.
    rows = {r[0]: r[:5] + (stored_result(r[5], r[6]),) for r in con.execute("SELECT id, client, route, input_sha256, model_sha256, result, encoding FROM decisions")}
    out["journal_mode"] = con.execute("PRAGMA journal_mode").fetchone()[0]
    con.close()
    out["audit_match"] = [{"id": d["id"], "found": d["id"] in rows,
                           "input": rows.get(d["id"], [None] * 6)[3] == d["input"],
                           "model": rows.get(d["id"], [None] * 6)[4] == model_sha,
                           "result": rows.get(d["id"], [None] * 6)[5] == d["result"],
                           "client": rows.get(d["id"], [None] * 6)[1]} for d in decisions]

    code, headers, data = request(url, "GET", "/metrics")
    text = data.decode()
    out["metrics"] = {"status": code, "type": headers.get("content-type"),
                      "score_200": next((float(l.split()[-1]) for l in text.splitlines()
                                         if l.startswith('finrec_http_requests_total{route="/v1/score",status="200"}')), None),
                      "score_400": next((float(l.split()[-1]) for l in text.splitlines()
                                         if l.startswith('finrec_http_requests_total{route="/v1/score",status="400"}')), None),
                      "histogram": 'finrec_http_request_duration_seconds_bucket{route="/v1/score",le="+Inf"}' in text,
                      "decisions": next((float(l.split()[-1]) for l in text.splitlines() if l.startswith("finrec_decisions_total")), None)}
    return out


def reload(url, pid, model_copy, db):
    out = {}
    body = open(os.path.join(APPLICANTS, "little-giant.json"), "rb").read()
    old_sha = json.loads(request(url, "GET", "/healthz")[2])["model_sha256"]
    _, _, data = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json"})
    old_points = json.loads(data)["enterprises"][0]["offers"][0]["points"]

    # A request in flight: its body arrives in two parts with the reload between them.
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
              + body[:20])
    time.sleep(0.3)
    document = json.load(open(model_copy))
    document["scaling"]["offset"] += 10.0
    tmp = model_copy + ".new"
    json.dump(document, open(tmp, "w"), ensure_ascii=False)
    os.replace(tmp, model_copy)
    os.kill(pid, signal.SIGHUP)
    new_sha = None
    for _ in range(100):
        time.sleep(0.05)
        new_sha = json.loads(request(url, "GET", "/healthz")[2])["model_sha256"]
        if new_sha != old_sha:
            break
    s.sendall(body[20:])
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    in_flight_id = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"x-finrec-decision")][0])
    con = sqlite3.connect(db)
    in_flight_model = con.execute("SELECT model_sha256 FROM decisions WHERE id = ?", (in_flight_id,)).fetchone()[0]
    con.close()
    out["in_flight"] = {"model_is_old": in_flight_model == old_sha,
                        "points": json.loads(payload)["enterprises"][0]["offers"][0]["points"]}
    _, _, data = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json"})
    out["after"] = {"sha_changed": new_sha != old_sha, "sha_is_file": new_sha == sha(open(model_copy, "rb").read()),
                    "points": json.loads(data)["enterprises"][0]["offers"][0]["points"]}
    out["before_points"] = old_points

    # A broken file: the reload fails, the model in service stays.
    open(model_copy, "w").write("{ not a model")
    os.kill(pid, signal.SIGHUP)
    time.sleep(1.0)
    code, _, data = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json"})
    out["after_bad_file"] = {"status": code, "sha_unchanged": json.loads(request(url, "GET", "/healthz")[2])["model_sha256"] == new_sha,
                             "points": json.loads(data)["enterprises"][0]["offers"][0]["points"]}
    return out


def kill(url, pid, db, seconds):
    received, errors = [], []
    lock = threading.Lock()
    stop = threading.Event()
    bodies = [open(os.path.join(APPLICANTS, n), "rb").read() for n in sorted(os.listdir(APPLICANTS))]

    def client(i):
        u = urllib.parse.urlparse(url)
        n = 0
        while not stop.is_set():
            body = bodies[(i + n) % len(bodies)]
            n += 1
            try:
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
                c.request("POST", "/v1/score", body=body, headers={"Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read()
                c.close()
            except Exception as e:  # the server died mid-request: no response, nothing to check
                with lock:
                    errors.append(type(e).__name__)
                continue
            if r.status == 200:
                with lock:
                    received.append((int(r.getheader("X-FinRec-Decision")), sha(body), sha(data)))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    con = sqlite3.connect(db)
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    rows = {r[0]: (r[1], sha(stored_result(r[2], r[3]).encode())) for r in con.execute("SELECT id, input_sha256, result, encoding FROM decisions")}
    con.close()
    missing = [d for d, i, r in received if d not in rows]
    mismatched = [d for d, i, r in received if d in rows and rows[d] != (i, r)]
    from check_audit import chain_break
    return {"received": len(received), "rows": len(rows), "missing": missing[:20], "mismatched": mismatched[:20],
            "integrity": integrity, "client_errors": len(errors), "chain_break": chain_break(db)}


def tokens(url, token, db):
    out = {}
    body = open(os.path.join(APPLICANTS, "little-giant.json"), "rb").read()
    before = audit_rows(db)
    for key, headers in [("none", {}), ("wrong", {"Authorization": "Bearer " + "x" * 43}), ("malformed", {"Authorization": "Token abc"})]:
        code, h, data = request(url, "POST", "/v1/score", body, dict(headers, **{"Content-Type": "application/json"}))
        out[key] = {"status": code, "challenge": h.get("www-authenticate"), "error": error_of(data)}
    code, h, data = request(url, "GET", "/")
    out["page_without"] = {"status": code, "challenge": h.get("www-authenticate")}
    out["audit_rows_added_by_refused"] = audit_rows(db) - before
    code, h, data = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    decision = int(h.get("x-finrec-decision", "0"))
    con = sqlite3.connect(db)
    client = con.execute("SELECT client FROM decisions WHERE id = ?", (decision,)).fetchone()
    con.close()
    out["bearer"] = {"status": code, "client": client[0] if client else None}
    basic = base64.b64encode(("loan-officer:" + token).encode()).decode()
    code, h, data = request(url, "GET", "/", headers={"Authorization": "Basic " + basic})
    out["basic_page"] = {"status": code}
    out["healthz"] = request(url, "GET", "/healthz")[0]
    out["metrics_without"] = request(url, "GET", "/metrics")[0]
    return out


def forms(url, token, probes_path):
    """Sends each probe of PROBES.json ({"key", "method", "path", "auth", "headers", "body"}) and
    says how it was answered: status, media type, the challenges, and whether the body is an HTML
    page with its error box or a JSON error (with its status)."""
    out = {}
    for p in json.load(open(probes_path, encoding="utf-8")):
        headers = dict(p.get("headers") or {})
        if p.get("auth"):
            headers["Authorization"] = "Bearer " + token
        body = p["body"].encode() if p.get("body") is not None else None
        u = urllib.parse.urlparse(url)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        c.request(p["method"], p["path"], body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        code, h, challenges = r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.msg.get_all("WWW-Authenticate") or []
        text = data.decode("utf-8", "replace")
        try:
            error = json.loads(text).get("error")
        except Exception:
            error = None
        out[p["key"]] = {"status": code, "type": h.get("content-type"), "challenges": challenges,
                         "allow": h.get("allow"),
                         "html_error": text.startswith("<!DOCTYPE html>") and 'id="error"' in text,
                         "json_error_status": error.get("status") if isinstance(error, dict) else None}
    return out


def xlsx(url, csv_path, workbook_path):
    import csv
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "申请企业"
    # Identifier columns are text, as a bank's sheet keeps them (an 18-digit code stored as a number
    # would lose digits in any spreadsheet).
    text_columns = {"enterprise_id", "core_enterprise_id"}
    with open(csv_path, encoding="utf-8") as f:
        header = []
        for r, row in enumerate(csv.reader(f)):
            if r == 0:
                header = row
            values = []
            for i, v in enumerate(row):
                if r > 0 and header[i] in text_columns:
                    values.append(v)
                    continue
                try:
                    values.append(int(v) if r > 0 and v.lstrip("-").isdigit() and len(v) < 15 else float(v) if r > 0 and v not in ("", "nan") and v.replace(".", "", 1).replace("-", "", 1).replace("e", "", 1).isdigit() else v)
                except ValueError:
                    values.append(v)
            ws.append(values)
    wb.save(workbook_path)
    data = open(workbook_path, "rb").read()
    boundary = "finrec-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\nzh\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"申请.xlsx\"\r\n"
            f"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    code, h, _ = request(url, "POST", "/score", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    location = h.get("location")
    page = request(url, "GET", location)[2].decode() if location else ""
    return {"status": code, "location": location, "enterprises": page.count('<article class="enterprise">')}


def page_lists(url, csv_path, lang):
    """Uploads a CSV of applicants on the page and reads back the lists the result page shows:
    per enterprise, each list's key and title, in page order, and the offer ids in each."""
    import re
    data = open(csv_path, "rb").read()
    boundary = "finrec-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\n{lang}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"applicants.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    code, h, _ = request(url, "POST", "/score", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    location = h.get("location")
    page = request(url, "GET", location)[2].decode() if location else ""
    enterprises = []
    for article in page.split('<article class="enterprise">')[1:]:
        sections = re.findall(r'<section class="list" id="list-([^"]+)">\s*<h2>(.*?)</h2>(.*?)</section>', article, re.S)
        enterprises.append([{"key": k, "title": html.unescape(t), "offers": re.findall(r'id="offer-([^"]+)"', rows)} for k, t, rows in sections])
    return {"status": code, "location": location, "enterprises": enterprises}


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "api":
        result = api(*args)
    elif mode == "reload":
        result = reload(args[0], int(args[1]), args[2], args[3])
    elif mode == "kill":
        result = kill(args[0], int(args[1]), args[2], float(args[3]))
    elif mode == "tokens":
        result = tokens(*args)
    elif mode == "xlsx":
        result = xlsx(*args)
    elif mode == "forms":
        result = forms(*args)
    elif mode == "page":
        result = page_lists(*args)
    else:
        raise SystemExit("unknown mode " + mode)
    print(json.dumps(result, ensure_ascii=False))
