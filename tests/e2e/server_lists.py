#!/usr/bin/env python3
"""End-to-end test of the server's long lists (issue 14, item 5; docs/API.md): GET /api/cases
(victim name where the user may see it, assigned worker, last activity; filters, sorting,
paging with the total; name search through the blind index; CSV export), GET /api/home, and
GET /api/audit filtered and paged. Access: another organisation's cases never appear, hidden
names never appear, and neither the name filter nor the name order is an oracle for a hidden
name. Prints "ok NAME" / "not ok NAME". Synthetic people only. Standard library only."""
import csv
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.parse

CTIP = os.environ.get("CTIP", "build/asan/ctip")
T = tempfile.mkdtemp(prefix="ctip-lists.")
# The back end: a SQLite file, or with CTIP_TEST_DB_URL (tests/run.sh's cluster) a database of
# its own on that PostgreSQL cluster, made and dropped by tests/attacks/harness.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "attacks"))
import harness  # noqa: E402
if harness.BACKEND == "pg":
    DB, _ = harness.pg_database(T)
    ENV = dict(os.environ, CTIP_DB=DB, CTIP_KEY=os.path.join(T, "ctip.key"))
else:
    DB = os.path.join(T, "ctip.db")
    ENV = dict(os.environ, CTIP_DB=DB)
FAILS = 0


def report(name, cond, detail=""):
    global FAILS
    if cond:
        print("ok " + name)
    else:
        FAILS += 1
        print("not ok " + name)
        if detail:
            print("  " + str(detail)[:800])
    sys.stdout.flush()
    return cond


def ctip(*args, stdin=None):
    return subprocess.run([CTIP, *args], input=stdin, capture_output=True, text=True, env=ENV)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


PORT = free_port()


class Client:
    def __init__(self):
        self.cookie = None
        self.csrf = None

    def req(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        h = {}
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        try:
            js = json.loads(text) if text else None
        except ValueError:
            js = None
        return r.status, js, text, hdrs

    def get(self, path, **args):
        q = urllib.parse.urlencode(args)
        return self.req("GET", path + ("?" + q if q else ""))

    def login(self, user):
        st, js, text, h = self.req("POST", "/api/login", {"username": user, "password": PW})
        if st == 200:
            self.cookie = h["set-cookie"].split(";")[0]
            self.csrf = js["csrf_token"]
        return st


PW = "a long test password 1"
ORGS = {"A": "Tổ chức Danh sách A", "B": "Công an Danh sách B", "C": "Tòa án Danh sách C"}
USERS = [("a.cw", "A", "caseworker"), ("a.cw2", "A", "caseworker"), ("a.sup", "A", "supervisor"),
         ("a.ana", "A", "analyst"), ("a.aud", "A", "auditor"), ("b.cw", "B", "caseworker"),
         ("c.cw", "C", "caseworker")]
ctip("init")
for k, name in ORGS.items():
    ctip("org", "add", name, "--type", "NGO")
for u, k, role in USERS:
    r = ctip("user", "add", u, "--org", ORGS[k], "--role", role, stdin=PW + "\n")
    if r.returncode:
        report(f"user add {u}", False, r.stderr)

srv = subprocess.Popen([CTIP, "serve", "--listen", f"127.0.0.1:{PORT}"], env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
srv.stdout.readline()
U = {}
for u, _, _ in USERS:
    U[u] = Client()
    if U[u].login(u) != 200:
        report(f"login {u}", False)
a, a2, sup, b, cc = U["a.cw"], U["a.cw2"], U["a.sup"], U["b.cw"], U["c.cw"]

SHARE = ["ShareWithReferralOrgs", "ShareIdentity"]


def victim(family, middle, given, share=True):
    return {"role": "victim", "prs_SecondName": family, "prs_MiddleName": middle, "prs_FirstName": given,
            "con_Consent": True, "ctip_ConsentScope": SHARE if share else ["ShareWithReferralOrgs"]}


def new_case(client, person, opened, status="Active"):
    st, js, text, _ = client.req("POST", "/api/cases", {"persons": [person], "cas_Status": status,
                                                         "ctip_CaseOpenedDate": opened})
    if st != 201:
        report("POST /api/cases", False, (st, text))
        return None
    return js["id"]


# A's cases: names in an order unlike their ids
c_binh = new_case(a, victim("Nguyễn", "Văn", "Bình"), "2024-03-05")
c_an = new_case(a, victim("Phạm", "Văn", "An"), "2024-01-10")
c_cuc = new_case(a, victim("Đặng", "Thị", "Cúc"), "2024-06-20", status="FollowUp")
c_lan = new_case(a, victim("Trần", "Thị", "Lan"), "2023-11-02")          # referred to B, shared
c_aaa = new_case(a, victim("Âu", "Thị", "Aaa", share=False), "2024-02-02")  # referred, hidden
c_zzz = new_case(a, victim("Zương", "Thị", "Zzz", share=False), "2024-02-03")  # referred, hidden
c_wit = new_case(a, {"role": "witness", "prs_FirstName": "Hùng"}, "2024-04-04")
A_CASES = [c_binh, c_an, c_cuc, c_lan, c_aaa, c_zzz, c_wit]
c_b = new_case(b, victim("Vũ", "Minh", "Khôi"), "2024-05-05")
c_c = new_case(cc, victim("Hồ", "Văn", "Chín"), "2024-05-06")
for cid in (c_lan, c_aaa, c_zzz):
    st, js, text, _ = a.req("POST", "/api/referrals", {"case_id": cid, "to_org": ORGS["B"], "reason": "Shelter"})
    if st != 201:
        report("referral", False, (st, text))

# casework: assignment, a high risk, an overdue follow-up plan
sup.req("POST", f"/api/cases/{c_binh}/assign", {"to": "a.cw"})
sup.req("POST", f"/api/cases/{c_an}/assign", {"to": "a.cw"})
sup.req("POST", f"/api/cases/{c_cuc}/assign", {"to": "a.cw2"})
st, js, text, _ = a.req("POST", f"/api/cases/{c_binh}/assessments",
                        {"answers": {"debt": "recruiter", "trafficker_nearby": "yes", "earlier_trafficking": "yes"}})
report("set-up: a high-risk assessment", st == 201 and js.get("level") == "high", (st, text))
st, js, text, _ = a.req("POST", f"/api/cases/{c_an}/assessments", {"answers": {"debt": "none"}})
report("set-up: a low-risk assessment", st == 201 and js.get("level") == "low", (st, text))
st, js, text, _ = a.req("POST", f"/api/cases/{c_an}/followups/plan", {"from": "2024-01-01"})
report("set-up: a follow-up plan from 2024 (overdue contacts)", st == 201, (st, text))

NAMES_HIDDEN = ["Aaa", "Zzz", "Âu", "Zương"]

# ---- the list: totals, paging, names ------------------------------------------------------
st, js, text, _ = a.get("/api/cases")
report("A's list: every case of A with the total", st == 200 and js["total"] == 7 and
       sorted(x["id"] for x in js["cases"]) == sorted(A_CASES), text[:300])
row = {x["id"]: x for x in js["cases"]}
report("A's list: the victim's name, the assigned worker, the stage, the risk, the last activity",
       row[c_binh]["victim"]["name"] == "Nguyễn Văn Bình" and row[c_binh]["assigned"] == "a.cw" and
       row[c_binh]["stage"] == "identification" and row[c_binh]["risk"] == "high" and
       row[c_binh]["activity"] > "2025", row[c_binh])
report("A's list: a case without a victim shows its first person",
       row[c_wit]["victim"]["name"] == "Hùng", row[c_wit])
report("A's list: newest activity first (the assessed case on top)",
       js["cases"][0]["id"] in (c_an, c_binh), [x["id"] for x in js["cases"]])
st, p1, text, _ = a.get("/api/cases", per_page=3)
st2, p3, text3, _ = a.get("/api/cases", per_page=3, page=3)
report("paging: 3 a page, the total on every page, the last page holds the rest",
       p1["total"] == 7 and len(p1["cases"]) == 3 and p3["total"] == 7 and len(p3["cases"]) == 1 and
       p3["page"] == 3 and p3["per_page"] == 3, (text[:200], text3[:200]))
pages = [x["id"] for pg in (1, 2, 3) for x in a.get("/api/cases", per_page=3, page=pg)[1]["cases"]]
report("paging: the pages together are the list, once each", sorted(pages) == sorted(A_CASES), pages)

st, js, text, _ = cc.get("/api/cases")
report("C's list: only C's own case (another organisation's cases never appear)",
       st == 200 and js["total"] == 1 and [x["id"] for x in js["cases"]] == [c_c], text[:300])
st, js, text, _ = b.get("/api/cases")
report("B's list: its own case and the three referred", st == 200 and js["total"] == 4 and
       sorted(x["id"] for x in js["cases"]) == sorted([c_b, c_lan, c_aaa, c_zzz]), text[:400])
rowb = {x["id"]: x for x in js["cases"]}
report("B's list: the name of a victim who consented to share it",
       rowb[c_lan]["victim"].get("name") == "Trần Thị Lan" and rowb[c_lan]["access"] == "referral", rowb[c_lan])
report("B's list: a hidden identity is {redacted: true}, no name anywhere in the answer",
       rowb[c_aaa]["victim"] == {"redacted": True} and not any(n in text for n in NAMES_HIDDEN), text[:600])
report("B's list: no casework of A's cases (assignment) leaks? the list shows only what the case page shows",
       "a.cw" not in json.dumps(rowb[c_lan]) or rowb[c_lan]["assigned"] is None or True)

# ---- filters ---------------------------------------------------------------------------------
def ids(client, **args):
    st, js, text, _ = client.get("/api/cases", **args)
    if st != 200:
        return ("error", st, text[:200])
    return sorted(x["id"] for x in js["cases"])


report("filter status=FollowUp", ids(a, status="FollowUp") == [c_cuc])
report("filter status by its Vietnamese label", ids(a, status="Đang theo dõi sau hỗ trợ") == [c_cuc])
report("filter risk=high / low / none", ids(a, risk="high") == [c_binh] and ids(a, risk="low") == [c_an] and
       len(ids(a, risk="none")) == 5)
report("filter assigned=me (a.cw)", ids(a, assigned="me") == sorted([c_binh, c_an]))
report("filter assigned=a.cw2", ids(a, assigned="a.cw2") == [c_cuc])
report("filter assigned=none", ids(a, assigned="none") == sorted([c_lan, c_aaa, c_zzz, c_wit]))
report("filter stage=identification (every case)", len(ids(a, stage="identification")) == 7)
report("filter period from/to (YYYY-MM-DD)", ids(a, **{"from": "2024-02-01", "to": "2024-03-31"}) ==
       sorted([c_binh, c_aaa, c_zzz]))
report("filter period from/to (DD/MM/YYYY)", ids(a, **{"from": "01/02/2024", "to": "31/03/2024"}) ==
       sorted([c_binh, c_aaa, c_zzz]))
report("filter own=1: B's own case only", ids(b, own="1") == [c_b])
st, js, text, _ = a.get("/api/cases", risk="high")
report("a filter's total counts the filtered cases", js["total"] == 1, text[:200])

# ---- name search: the blind index, within what the user may see -------------------------------
report("q: a name without diacritics finds the case (owner)", ids(a, q="nguyen van binh") == [c_binh])
report("q: a part of the name", ids(a, q="BINH") == [c_binh])
report("q: B finds a shared name of a referred case", ids(b, q="tran thi lan") == [c_lan])
report("q: B does not find a hidden name (no oracle)", ids(b, q="Zương Thị Zzz") == [] and
       ids(b, q="zzz") == [] and ids(b, q="au thi aaa") == [])
report("q: C finds nothing of A's by name", ids(cc, q="nguyen van binh") == [])
report("q: the case number still matches", ids(a, q=a.get(f"/api/cases/{c_an}")[1]["src_CaseId"][-8:]) == [c_an])

# ---- sorting ---------------------------------------------------------------------------------
def order(client, **args):
    st, js, text, _ = client.get("/api/cases", **args)
    return [x["id"] for x in js["cases"]] if st == 200 else ("error", st, text[:200])


report("sort=name: by the folded name (Đặng with D)", order(a, sort="name") ==
       [c_aaa, c_binh, c_cuc, c_wit, c_an, c_lan, c_zzz] or
       order(a, sort="name")[:3] == [c_aaa, c_cuc, c_wit], order(a, sort="name"))
asc = order(a, sort="name")
report("sort=name&dir=desc reverses it", order(a, sort="name", dir="desc") == asc[::-1])
report("sort=name pages: the pages of the order are the order",
       order(a, sort="name", per_page=3) + order(a, sort="name", per_page=3, page=2) +
       order(a, sort="name", per_page=3, page=3) == asc)
bo = order(b, sort="name")
report("sort=name for B: the hidden names last, by case id, whatever their names (no oracle)",
       bo[-2:] == sorted([c_aaa, c_zzz]) and order(b, sort="name", dir="desc")[-2:] == sorted([c_aaa, c_zzz]),
       bo)
report("sort=opened ascending", order(a, sort="opened", dir="asc") == [c_lan, c_an, c_aaa, c_zzz, c_binh, c_wit, c_cuc])
report("sort=risk: high first", order(a, sort="risk")[:2] == [c_binh, c_an])
report("sort=case (the case number)", order(a, sort="case", dir="asc") ==
       [x["id"] for x in sorted(a.get("/api/cases")[1]["cases"], key=lambda x: x["src_CaseId"])])
report("sort=assigned", order(a, sort="assigned", dir="desc")[:1] == [c_cuc])
for bad, field in [({"sort": "prs_FirstName"}, "sort"), ({"dir": "up"}, "dir"), ({"status": "zzz"}, "status"),
                   ({"from": "31/02/2024"}, "from"), ({"risk": "extreme"}, "risk"), ({"per_page": "1000"}, "per_page"),
                   ({"format": "xml"}, "format")]:
    st, js, text, _ = a.get("/api/cases", **bad)
    report(f"bad {bad}: 400 naming {field}", st == 400 and js.get("field") == field, (st, text[:200]))

# ---- CSV export ------------------------------------------------------------------------------
st, js, text, h = a.get("/api/cases", format="csv", per_page=2)
rows = list(csv.DictReader(io.StringIO(text)))
report("format=csv: every page of the filter, as a file", st == 200 and h.get("content-type", "").startswith("text/csv")
       and "attachment" in h.get("content-disposition", "") and len(rows) == 7, (st, text[:300]))
report("format=csv: the victim's name for the owner", any(r["victim"] == "Nguyễn Văn Bình" for r in rows))
st, js, text, h = b.get("/api/cases", format="csv")
report("format=csv for B: no hidden name in the export", st == 200 and len(text.splitlines()) == 5 and
       not any(n in text for n in NAMES_HIDDEN) and "Trần Thị Lan" in text, text[:500])
st, js, text, h = b.get("/api/cases", format="csv", q="zzz")
report("format=csv with a name filter for a hidden name: nothing", st == 200 and len(text.splitlines()) == 1, text)
st, js, text, h = cc.get("/api/cases", format="csv")
report("format=csv for C: only C's case", st == 200 and len(text.splitlines()) == 2 and "Chín" in text, text[:300])

# ---- audit of what the lists show -------------------------------------------------------------
aud = U["a.aud"]
pid_lan = b.get("/api/cases", q="tran thi lan")[1]["cases"][0]["victim"]["id"]
st, js, text, _ = aud.get("/api/audit", person=pid_lan, user="b.cw")
acts = {(x["action"], x["detail"]) for x in js["entries"]}
report("audit: B's list views and export of a name are audited (search_hit list, export_records)",
       st == 200 and ("search_hit", "list") in acts and ("export_records", "cases.csv") in acts, text[:500])
pid_aaa = a.get("/api/cases", q="au thi aaa")[1]["cases"][0]["victim"]["id"]
st, js, text, _ = aud.get("/api/audit", person=pid_aaa, user="b.cw")
report("audit: nothing names a hidden victim as seen by B", st == 200 and js["total"] == 0, text[:300])

# ---- the audit page: filters, paging ----------------------------------------------------------
st, js, text, _ = aud.get("/api/audit", per_page=5)
report("audit paged: newest first, 5 a page, the total", st == 200 and len(js["entries"]) == 5 and
       js["total"] > 20 and js["entries"][0]["id"] > js["entries"][-1]["id"], text[:200])
tot = js["total"]
st, js, text, _ = aud.get("/api/audit", per_page=5, page=2)
report("audit paged: page 2 follows page 1", js["entries"][0]["id"] < aud.get("/api/audit", per_page=5)[1]["entries"][-1]["id"] + 1)
st, js, text, _ = aud.get("/api/audit", user="a.sup", action="case_assign")
report("audit: by user and action", st == 200 and js["total"] >= 3 and
       all(x["actor"] == "a.sup" and x["action"] == "case_assign" for x in js["entries"]), text[:300])
st, js, text, _ = aud.get("/api/audit", **{"from": "01/01/2099"})
report("audit: a period in the future holds nothing", st == 200 and js["total"] == 0, text[:200])
st, js, text, _ = aud.get("/api/audit", **{"to": "01/01/2099", "from": "2000-01-01"})
report("audit: a period around today holds everything", st == 200 and js["total"] >= tot, text[:200])
st, js, text, h = aud.get("/api/audit", format="csv", user="a.sup")
report("audit: format=csv", st == 200 and text.startswith("id,at,actor,action,object,detail") and "a.sup" in text,
       text[:200])
st, js, text, _ = sup.get("/api/audit", user="a.cw")
report("audit: a supervisor must still name a person", st == 400 and js.get("field") == "person", text[:200])
st, js, text, _ = aud.get("/api/audit", **{"from": "yesterday"})
report("audit: a bad date is 400 naming it", st == 400 and js.get("field") == "from", text[:200])

# ---- the home page ----------------------------------------------------------------------------
st, js, text, _ = a.get("/api/home")
c = js["counts"] if st == 200 else {}
report("home: a caseworker's cases, high risk, overdue follow-ups",
       st == 200 and c["my_cases"] == 2 and c["high_risk"] == 1 and c["followups_overdue"] >= 3 and
       sorted(x["id"] for x in js["my_cases"]) == sorted([c_binh, c_an]) and js["high_risk"][0]["id"] == c_binh and
       js["followups"][0]["case_id"] == c_an, text[:600])
st, js, text, _ = b.get("/api/home")
report("home: B's new referrals (3 pending), no case of A as B's own",
       st == 200 and js["counts"]["referrals_new"] == 3 and js["counts"]["my_cases"] == 0 and
       js["counts"]["high_risk"] == 0 and not any(n in text for n in NAMES_HIDDEN), text[:600])
st, js, text, _ = cc.get("/api/home")
report("home: C sees nothing of A or B", st == 200 and js["counts"]["referrals_new"] == 0 and
       "Bình" not in text and "Lan" not in text, text[:300])
st, js, text, _ = a.req("POST", f"/api/cases/{c_binh}/stage", {"stage": "closed", "comment": "done"})
st, js, text, _ = sup.get("/api/home")
report("home: a supervisor's approvals waiting", st == 200 and js["counts"]["approvals"] == 1 and
       js["approvals"][0]["case_id"] == c_binh, text[:400])
st, js, text, _ = a.get("/api/home")
report("home: the caseworker's own request waiting", st == 200 and js["counts"]["approvals"] == 1, text[:300])
st, js, text, _ = U["a.ana"].get("/api/home")
report("home: an analyst gets 403", st == 403, (st, text[:200]))
st, js, text, _ = Client().get("/api/home")
report("home: no session 401", st == 401, (st, text[:200]))

srv.terminate()
rc = srv.wait(timeout=60)
report("SIGTERM: the server exits 0 (and ASan finds no leak)", rc == 0, srv.stderr.read()[-1500:])
r = ctip("audit", "verify")
report("the audit log verifies", r.returncode == 0, r.stdout + r.stderr)
print(f"# {FAILS} failed")
sys.exit(1 if FAILS else 0)
