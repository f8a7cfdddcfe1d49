"""The audit log checked from outside FinRec: its hash chain recomputed from the rule README.md
states (an implementation of its own, not FinRec's), rows tampered with through SQLite, the roles
of tokens, and the faults the service must survive. Prints one JSON object; the Swift tests
(AuditLogTests, ServeCommandTests) assert on it.

usage:
  check_audit.py chain DB                         the first row where the chain breaks (null: none)
  check_audit.py sql DB SQL                       runs SQL (a script) on DB through SQLite, then `chain`
  check_audit.py stored DB                        bytes of the stored results, their encodings, and inflated
  check_audit.py tamper FINREC DB FOLDER          edit, delete, swap and truncate copies; verify each
  check_audit.py roles URL TOKENS.json            each role against each route
  check_audit.py linger URL                       urllib sends 24 MiB to a 1 MiB limit and reads the 413
  check_audit.py ratelimit URL DB RATE            a burst past the limit: 429 with Retry-After
  check_audit.py diskfull URL PID DB              the log's file size capped: 503, then recovery
  check_audit.py backupkill FINREC DB OUT TIMES   SIGKILL during `finrec audit backup`"""
import csv
import hashlib
import io
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_service import APPLICANTS, audit_rows, request, error_of  # noqa: E402

GENESIS = "0" * 64


def content_digest(row):
    """SHA-256 of the row's canonical encoding: the tag, then each field but the id as an 8-byte
    big-endian length and its bytes."""
    h = hashlib.sha256(b"finrec-audit-row-1")
    fields = [row["time"], row["client"], row["route"], row["input_sha256"], row["model_sha256"],
              str(row["applicants"]), row["kind"], row["encoding"]]
    for f in fields:
        b = f.encode("utf-8")
        h.update(len(b).to_bytes(8, "big") + b)
    result = row["result"]
    b = result.encode("utf-8") if isinstance(result, str) else bytes(result)
    h.update(len(b).to_bytes(8, "big") + b)
    return h.hexdigest()


def chain_break(db):
    """The first row id where the stored chain does not hold, or None; prune checkpoints anchor a
    pruned start."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        rows = list(con.execute("SELECT * FROM decisions ORDER BY id"))
    finally:
        con.close()
    anchors = {}
    for r in rows:
        if r["kind"] == "prune":
            res = r["result"]
            doc = json.loads(res if isinstance(res, str) else bytes(res).decode())
            anchors[int(doc["last_id"])] = doc["last_hash"]
    previous = None
    for r in rows:
        if previous is None:
            link = GENESIS if r["id"] == 1 else anchors.get(r["id"] - 1)
            if link is None:
                return 1
        else:
            if r["id"] != previous[0] + 1:
                return previous[0] + 1
            link = previous[1]
        if hashlib.sha256((link + str(r["id"]) + content_digest(r)).encode()).hexdigest() != r["hash"]:
            return r["id"]
        if r["encoding"] == "deflate":
            zlib.decompress(bytes(r["result"]))
        previous = (r["id"], r["hash"])
    return None


def verify(finrec, db, head=None):
    args = [finrec, "audit", "verify", "--audit", db] + (["--head", head] if head else [])
    p = subprocess.run(args, capture_output=True, text=True)
    return {"status": p.returncode, "out": p.stdout.strip(), "err": p.stderr.strip()}


def tamper(finrec, db, folder):
    """Copies of the log, each changed as someone with the sqlite3 library would: FinRec's verify
    and this script's own chain both judge each."""
    con = sqlite3.connect(db)
    n = con.execute("SELECT max(id) FROM decisions").fetchone()[0]
    head = "%d:%s" % con.execute("SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    out = {"rows": n, "intact": verify(finrec, db), "intact_python": chain_break(db), "intact_with_head": verify(finrec, db, head)}
    mid = n // 2

    def case(name, sql, with_head=False, params=()):
        copy = os.path.join(folder, name + ".sqlite")
        src = sqlite3.connect(db)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.executescript(sql) if not params else dst.execute(sql, params)
        dst.commit()
        dst.close()
        out[name] = dict(verify(finrec, copy, head if with_head else None), python=chain_break(copy))

    case("edited_client", "UPDATE decisions SET client = 'someone-else' WHERE id = %d" % mid)
    case("edited_time", "UPDATE decisions SET time = '2020-01-01T00:00:00.000Z' WHERE id = %d" % mid)
    case("edited_result", "UPDATE decisions SET result = X'789c03000000000001' WHERE id = %d" % mid)
    case("deleted", "DELETE FROM decisions WHERE id = %d" % mid)
    case("deleted_first", "DELETE FROM decisions WHERE id = 1")
    # Two rows' contents swapped (their ids and hashes stay): reordered.
    case("swapped", """
        CREATE TEMP TABLE a AS SELECT * FROM decisions WHERE id = %d;
        CREATE TEMP TABLE b AS SELECT * FROM decisions WHERE id = %d;
        UPDATE decisions SET time = (SELECT time FROM b), client = (SELECT client FROM b), input_sha256 = (SELECT input_sha256 FROM b),
            result = (SELECT result FROM b) WHERE id = %d;
        UPDATE decisions SET time = (SELECT time FROM a), client = (SELECT client FROM a), input_sha256 = (SELECT input_sha256 FROM a),
            result = (SELECT result FROM a) WHERE id = %d;
        """ % (mid, mid + 1, mid, mid + 1))
    # An edit whose row hash is recomputed by the forger: the next row no longer follows.
    forged = os.path.join(folder, "forged.sqlite")
    shutil.copy(db, forged)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            shutil.copy(db + suffix, forged + suffix)
    c = sqlite3.connect(forged)
    c.row_factory = sqlite3.Row
    c.execute("UPDATE decisions SET client = 'forger' WHERE id = ?", (mid,))
    row = c.execute("SELECT * FROM decisions WHERE id = ?", (mid,)).fetchone()
    prev = c.execute("SELECT hash FROM decisions WHERE id = ?", (mid - 1,)).fetchone()[0]
    c.execute("UPDATE decisions SET hash = ? WHERE id = ?", (hashlib.sha256((prev + str(mid) + content_digest(row)).encode()).hexdigest(), mid))
    c.commit()
    c.close()
    out["forged_hash"] = dict(verify(finrec, forged), python=chain_break(forged))
    # The last rows removed: the chain that is left holds; the saved head finds it.
    case("truncated", "DELETE FROM decisions WHERE id > %d" % (n - 2))
    case("truncated_with_head", "DELETE FROM decisions WHERE id > %d" % (n - 2), with_head=True)
    return out


def roles(url, tokens_path):
    """Each client against each route: its status and, for a 403, the message."""
    tokens = json.load(open(tokens_path))
    body = open(os.path.join(APPLICANTS, "little-giant.json"), "rb").read()
    out = {}
    decisions = {}
    for who, token in tokens.items():
        auth = {"Authorization": "Bearer " + token}
        answers = {}
        code, h, data = request(url, "POST", "/v1/score", body, dict(auth, **{"Content-Type": "application/json"}))
        answers["score"] = code
        if code == 200:
            decisions[who] = int(h["x-finrec-decision"])
        else:
            answers["score_message"] = error_of(data).get("message")
        out[who] = answers
    # Reads after every client has scored.
    for who, token in tokens.items():
        auth = {"Authorization": "Bearer " + token}
        answers = out[who]
        for key, path in [("metrics", "/metrics"), ("model", "/v1/model"), ("offers", "/v1/offers"), ("page", "/"),
                          ("decisions", "/v1/decisions")]:
            code, h, data = request(url, "GET", path, headers=auth)
            answers[key] = code
            if key == "page":
                answers["page_decision_links"] = data.decode("utf-8", "replace").count('href="/decisions/')
            if key == "decisions" and code == 200:
                answers["decision_clients"] = sorted({d["client"] for d in json.loads(data)})
    # Each client reads each decision made: on the API and on the page.
    for who, token in tokens.items():
        auth = {"Authorization": "Bearer " + token}
        out[who]["read"] = {owner: [request(url, "GET", "/v1/decisions/%d" % d, headers=auth)[0],
                                    request(url, "GET", "/decisions/%d" % d, headers=auth)[0]] for owner, d in decisions.items()}
        code, h, data = request(url, "GET", "/v1/decisions?client=officer", headers=auth)
        out[who]["filter_other"] = code
        code, h, data = request(url, "GET", "/v1/decisions?client=officer&format=csv", headers=auth)
        if code == 200:
            table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
            out[who]["csv"] = {"type": h.get("content-type"), "header": ",".join(table[0]), "rows": len(table) - 1,
                               "clients": sorted({r[2] for r in table[1:]})}
    return out


def linger(url):
    """urllib writes the whole body before it reads: it must read the 413, not a reset."""
    req = urllib.request.Request(url + "/v1/score", data=b"x" * (24 << 20), headers={"Content-Type": "text/csv"}, method="POST")
    try:
        urllib.request.urlopen(req, timeout=20)
        return {"status": 200}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "error": error_of(e.read())}
    except Exception as e:  # ConnectionResetError, BrokenPipeError: what lingering close prevents
        return {"status": None, "exception": type(e).__name__}


def ratelimit(url, db, rate):
    rate = int(rate)
    body = open(os.path.join(APPLICANTS, "little-giant.json"), "rb").read()
    before = audit_rows(db)
    answers = []
    for _ in range(rate + 5):
        code, h, data = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json"})
        answers.append({"status": code, "retry_after": h.get("retry-after"), "message": error_of(data).get("message") if code != 200 else None})
    added = audit_rows(db) - before
    wait = max(int(a["retry_after"] or 0) for a in answers)
    time.sleep(wait + 0.2)
    after = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json"})[0]
    return {"answers": answers, "rows_added": added, "after_wait": after, "health": request(url, "GET", "/healthz")[0]}


def diskfull(url, pid, db):
    """Caps the service's file size (RLIMIT_FSIZE) just above the log's: writes then fail with
    EFBIG as on a full volume. Decisions must be refused (503, no decision id) until the cap is
    lifted, then served again, every acknowledged one in the log and the chain whole."""
    pid = int(pid)
    body = open(os.path.join(APPLICANTS, "little-giant.json"), "rb").read()
    soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    sizes = [os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s)]
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (max(sizes) + 200_000, hard))
    statuses, acknowledged, refused = [], [], []
    for _ in range(60):
        code, h, data = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json"})
        statuses.append(code)
        if code == 200:
            acknowledged.append(int(h["x-finrec-decision"]))
        else:
            refused.append({"status": code, "decision": h.get("x-finrec-decision"), "message": error_of(data).get("message")})
        if len(refused) >= 3:
            break
    alive_while_full = request(url, "GET", "/healthz")[0]
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))
    code, h, data = request(url, "POST", "/v1/score", body, {"Content-Type": "application/json"})
    recovered = {"status": code, "decision": h.get("x-finrec-decision")}
    con = sqlite3.connect(db)
    ids = {r[0] for r in con.execute("SELECT id FROM decisions")}
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    return {"statuses": statuses, "refused": refused[:3], "alive_while_full": alive_while_full, "recovered": recovered,
            "acknowledged_missing": [i for i in acknowledged if i not in ids], "integrity": integrity, "chain_break": chain_break(db)}


def backupkill(finrec, db, out, times):
    """`finrec audit backup` killed at random moments: each time the log still verifies and the
    backup is either absent or whole (opens, integrity ok, chain holds)."""
    rng = random.Random(7)
    results = []
    full = subprocess.run([finrec, "audit", "backup", "--audit", db, "--output", out + ".timing"], capture_output=True, text=True)
    started = time.time()
    subprocess.run([finrec, "audit", "backup", "--audit", db, "--output", out + ".timing"], capture_output=True, text=True)
    took = time.time() - started
    for i in range(int(times)):
        target = "%s.%d" % (out, i)
        p = subprocess.Popen([finrec, "audit", "backup", "--audit", db, "--output", target], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, took))
        p.send_signal(signal.SIGKILL)
        p.wait()
        r = {"killed": p.returncode == -signal.SIGKILL, "exists": os.path.exists(target)}
        if r["exists"]:
            try:
                c = sqlite3.connect(target)
                r["integrity"] = c.execute("PRAGMA integrity_check").fetchone()[0]
                c.close()
                r["chain_break"] = chain_break(target)
            except sqlite3.DatabaseError as e:  # a half-written file: what the rename prevents
                r["integrity"] = "error: %s" % e
        results.append(r)
    return {"full_status": full.returncode, "seconds": took, "runs": results, "log_verify": verify(finrec, db)["status"],
            "log_chain_break": chain_break(db)}


def stored(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT result, encoding FROM decisions").fetchall()
    con.close()
    return {"stored_bytes": sum(len(r) for r, _ in rows), "encodings": sorted({e for _, e in rows}),
            "inflated_bytes": sum(len(zlib.decompress(bytes(r))) if e == "deflate" else len(r) for r, e in rows)}


def sql(db, script):
    con = sqlite3.connect(db)
    con.executescript(script)
    con.commit()
    chained = "hash" in [r[1] for r in con.execute("PRAGMA table_info(decisions)")]
    con.close()
    return {"break": chain_break(db) if chained else None}


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    result = {"chain": lambda: {"break": chain_break(*args)}, "sql": lambda: sql(*args), "stored": lambda: stored(*args), "tamper": lambda: tamper(*args), "roles": lambda: roles(*args),
              "linger": lambda: linger(*args), "ratelimit": lambda: ratelimit(*args), "diskfull": lambda: diskfull(*args),
              "backupkill": lambda: backupkill(*args)}[mode]()
    print(json.dumps(result, ensure_ascii=False))
