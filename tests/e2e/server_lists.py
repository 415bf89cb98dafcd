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
         ("c.cw", "C", "caseworker"), ("b.sup", "B", "supervisor"), ("c.sup", "C", "supervisor")]
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


def died(kind, value, tb):
    """An exception that ends the script (a request the server never answered): say what the
    server said, which is why (an ASan report when it crashed)."""
    sys.__excepthook__(kind, value, tb)
    if srv.poll() is None:
        srv.terminate()
    try:
        err = srv.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        srv.kill()
        err = srv.communicate()[1]
    print(f"not ok the script ran to its end (the server's status: {srv.returncode})")
    print("  " + (err or "")[-4000:].replace("\n", "\n  "))


sys.excepthook = died
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
# the home page's counts and follow-ups are kept until the registry changes: a contact recorded
# shows at once (the overdue ones done)
for _ in range(24):  # every connection of the server's threads keeps its own
    a.get("/api/home")
st, js, text, _ = a.req("POST", f"/api/cases/{c_an}/followups", {"mode": "phone", "outcome": "reached_stable"})
report("set-up: a follow-up contact recorded", st in (200, 201), (st, text[:300]))
homes = [a.get("/api/home") for _ in range(24)]
report("home: after the contact, no overdue follow-up of that case (nothing stale kept)",
       all(st == 200 and js["counts"]["followups_overdue"] == 0 and
           not [x for x in js["followups"] if x["case_id"] == c_an] for st, js, text, _ in homes),
       [(st, js["counts"]) for st, js, text, _ in homes][:6])
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

# ---- events recorded from the case page (POST /api/events, GET /api/events) ------------------
pid_binh = a.get(f"/api/cases/{c_binh}")[1]["persons"][0]["id"]
ev = {"case_id": c_binh, "person_id": pid_binh, "hte_Type": "Recruitment", "hte_Date": "2023-05",
      "hte_Country": "Việt Nam", "hte_State": "Nghệ An"}
st, js, text, _ = a.req("POST", "/api/events", ev)
report("POST /api/events: the owner records an event (201)", st == 201 and isinstance(js.get("id"), int), (st, text))
st, js, text, _ = a.req("POST", "/api/events", dict(ev, hte_Type="Tuyển mộ", hte_Date="2023-06-01"))
report("POST /api/events: a label is read as its code", st == 201, (st, text))
st, js, text, _ = a.get("/api/events", case_id=c_binh)
evs = js.get("events", []) if st == 200 else []
report("GET /api/events: both, canonical (code, ISO country)", st == 200 and len(evs) == 2 and
       all(x["hte_Type"] == "Recruitment" for x in evs) and evs[0].get("hte_Country") == "VN", text[:400])
st, js, text, _ = a.get(f"/api/cases/{c_binh}")
report("... and on the case page's data", st == 200 and len(js["persons"][0].get("events", [])) == 2, text[:300])
for bad, field in [({"hte_Type": "Teleportation"}, "hte_Type"), ({"hte_Date": "31/02/2023"}, "hte_Date"),
                   ({"hte_Type": None}, "hte_Type"), ({"hte_City": "a;b"}, "hte_City"), ({"x": 1}, "x")]:
    body = dict(ev, **bad)
    if bad.get("hte_Type", 1) is None:
        del body["hte_Type"]
    st, js, text, _ = a.req("POST", "/api/events", body)
    report(f"POST /api/events {bad}: 400 naming {field}", st == 400 and js.get("field") == field, (st, text[:200]))
st, js, text, _ = a.req("POST", "/api/events", dict(ev, person_id=pid_binh + 100000))
report("POST /api/events: a person not in the case is 404", st == 404, (st, text[:200]))
st, js, text, _ = b.req("POST", "/api/events", dict(ev, case_id=c_lan,
                        person_id=a.get(f"/api/cases/{c_lan}")[1]["persons"][0]["id"]))
report("POST /api/events: an organisation the case was referred to may not add (403)", st == 403, (st, text[:200]))
st, js, text, _ = cc.req("POST", "/api/events", ev)
report("POST /api/events: another organisation gets 404, nothing added", st == 404 and
       len(a.get("/api/events", case_id=c_binh)[1]["events"]) == 2, (st, text[:200]))
st, js, text, _ = cc.get("/api/events", case_id=c_binh)
report("GET /api/events: another organisation gets 404", st == 404, (st, text[:200]))
st, js, text, _ = U["a.ana"].req("POST", "/api/events", ev)
report("POST /api/events: an analyst gets 403", st == 403, (st, text[:200]))
aid = a.get(f"/api/cases/{c_aaa}")[1]["persons"][0]["id"]
a.req("POST", "/api/events", {"case_id": c_aaa, "person_id": aid, "hte_Type": "Transit", "hte_City": "Móng Cái"})
st, js, text, _ = b.get("/api/events", case_id=c_aaa)
report("GET /api/events: B sees the event of a referred case without its hidden identity",
       st == 200 and len(js["events"]) == 1 and not any(n in text for n in NAMES_HIDDEN), text[:300])
st, js, text, _ = aud.get("/api/audit", person=pid_binh, action="update")
report("POST /api/events is audited (update P.. with the case and the position)",
       st == 200 and any("events" in (x.get("detail") or "") for x in js["entries"]), text[:300])

# ---- person search: a list like the case list (issue 14: paged, sorted, filtered, CSV) ----------
def quyen(given, birth, phone, share=True):
    return dict(victim("Lương", "Thị", given, share), prs_Birthdate=birth, prs_MobilePhone=phone)


Q = {}
for i, y in enumerate(range(1990, 1996)):
    Q[y] = new_case(a, quyen("Quyên", f"{y}-04-12", f"09110000{i:02d}", share=(y != 1991)), "2024-07-01")
Q["twin"] = new_case(a, quyen("Quyên", "1990-04-12", "0911000099"), "2024-07-02")  # A's own pair with 1990
for y in (1990, 1991):  # 1990 shared with B, 1991 hidden from B
    a.req("POST", "/api/referrals", {"case_id": Q[y], "to_org": ORGS["B"], "reason": "Shelter"})
Q["b"] = new_case(b, quyen("Quyên", "1990-04-12", "0988000001"), "2024-07-03")
Q["b2"] = new_case(b, quyen("Quyên", "1991-04-12", "0988000002"), "2024-07-04")
P = {k: a.get(f"/api/cases/{v}")[1]["persons"][0]["id"] for k, v in Q.items() if k not in ("b", "b2")}
P["b"] = b.get(f"/api/cases/{Q['b']}")[1]["persons"][0]["id"]
P["b2"] = b.get(f"/api/cases/{Q['b2']}")[1]["persons"][0]["id"]


def srch(client, **args):
    st, js, text, _ = client.get("/api/search", **args)
    return st, js, text


st, js, text = srch(a, q="luong quyen")
report("search: A's seven records, the total, page 1 of 50", st == 200 and js["total"] == 7 and
       len(js["results"]) == 7 and js["page"] == 1 and js["per_page"] == 50 and js["more"] is False, text[:300])
names_order = [x["id"] for x in js["results"]]
pages = [x["id"] for pg in (1, 2, 3, 4) for x in srch(a, q="luong quyen", per_page=2, page=pg)[1]["results"]]
st, js, text = srch(a, q="luong quyen", per_page=2, page=4)
report("search paged: 2 a page, the total on every page, the pages together are the list once each",
       st == 200 and js["total"] == 7 and len(js["results"]) == 1 and pages == names_order, (pages, names_order))
st, js, text = srch(a, q="luong quyen", sort="birth")
births = [x["birth"] for x in js["results"]]
report("search sort=birth ascending", st == 200 and births == sorted(births) and births[0].startswith("1990"), births)
st, js, text = srch(a, q="luong quyen", sort="birth", dir="desc")
report("search sort=birth&dir=desc: newest first", st == 200 and [x["birth"] for x in js["results"]][0].startswith("1995"),
       text[:300])
st, js, text = srch(a, q="luong quyen", born_from="1992", born_to="1993")
report("search filter born_from/born_to", st == 200 and js["total"] == 2 and
       sorted(x["id"] for x in js["results"]) == sorted([P[1992], P[1993]]), text[:300])
st, js, text = srch(a, q="luong quyen", org="danh sach a")
report("search filter org (folded, part of the name)", st == 200 and js["total"] == 7, text[:200])
st, js, text = srch(a, q="luong quyen", org="danh sach b")
report("search filter org: A does not find B's records by naming B", st == 200 and js["total"] == 0, text[:200])
st, js, text = srch(b, q="luong quyen")
bids = sorted(x["id"] for x in js["results"])
report("search for B: its own two and A's shared one, never the hidden one (total too)",
       st == 200 and js["total"] == 3 and bids == sorted([P["b"], P["b2"], P[1990]]) and str(P[1991]) not in
       json.dumps(js["results"]), text[:400])
for args in ({"sort": "birth"}, {"sort": "birth", "dir": "desc"}, {"born_from": "1991", "born_to": "1991"},
             {"per_page": "1", "page": "2"}, {"org": "danh sach a"}, {"sort": "org"}):
    st, js, text = srch(b, q="luong quyen", **args)
    report(f"search for B {args}: never the hidden record",
           st == 200 and P[1991] not in [x["id"] for x in js["results"]] and
           js["total"] <= 3 - (args.get("org") == "danh sach a") * 2, text[:300])
st, js, text = srch(b, q="luong quyen", org="danh sach a")
report("search for B filtered by A's name: only the shared record", st == 200 and js["total"] == 1 and
       js["results"][0]["id"] == P[1990], text[:300])
st, js, text = srch(cc, q="luong quyen")
report("search for C: nothing of A's or B's", st == 200 and js["total"] == 0 and js["results"] == [], text[:200])
st, js, text = srch(a, q="luong quyen", page="1000000")
report("search: a page far beyond the end is empty, with the total", st == 200 and js["results"] == [] and
       js["total"] == 7, text[:200])
for bad, field in [({"sort": "evil"}, "sort"), ({"sort": "prs_SecondName"}, "sort"), ({"dir": "up"}, "dir"),
                   ({"per_page": "201"}, "per_page"), ({"per_page": "0"}, "per_page"), ({"page": "0"}, "page"),
                   ({"page": "99999999999"}, "page"), ({"page": "-1"}, "page"), ({"born_from": "1800"}, "born_from"),
                   ({"born_to": "abc"}, "born_to"), ({"format": "xml"}, "format"), ({"org": "x" * 201}, "org")]:
    st, js, text = srch(a, q="luong quyen", **bad)
    report(f"search bad {str(bad)[:40]}: 400 naming {field}", st == 400 and js.get("field") == field, (st, text[:200]))
st, js, text, h = a.get("/api/search", q="luong quyen", format="csv", per_page=2, sort="birth")
rows = list(csv.DictReader(io.StringIO(text)))
report("search format=csv: every page, as a file, in the order asked",
       st == 200 and h.get("content-type", "").startswith("text/csv") and 'filename="search.csv"' in
       h.get("content-disposition", "") and len(rows) == 7 and rows[0]["birth"].startswith("1990") and
       rows[0]["name"] == "Lương Thị Quyên", text[:300])
st, js, text, h = b.get("/api/search", q="luong quyen", format="csv")
report("search format=csv for B: three rows, never the hidden record",
       st == 200 and len(text.splitlines()) == 4 and f"{P[1991]}," not in text, text[:400])
# the audit: a page shown names the records of that page only; an export names every record
a2.get("/api/search", q="luong quyen", sort="birth", per_page=2)
def audited(pid, user):
    return {(x["action"], x["detail"]) for x in aud.get("/api/audit", person=pid, user=user)[1]["entries"]}
report("search audit: a record on the page shown is audited (search_hit api)",
       ("search_hit", "api") in audited(P[1990], "a.cw2"), audited(P[1990], "a.cw2"))
report("search audit: a record on a page not shown is not (page 1 of the birth order lacks 1995)",
       audited(P[1995], "a.cw2") == set(), audited(P[1995], "a.cw2"))
a2.get("/api/search", q="luong quyen", sort="birth", per_page=2, page=4)
report("search audit: ... until its page is shown", ("search_hit", "api") in audited(P[1995], "a.cw2"))
a2.get("/api/search", q="luong quyen", format="csv")
report("search audit: an export names every record (export_records search.csv)",
       all(("export_records", "search.csv") in audited(P[y], "a.cw2") for y in range(1990, 1996)))
report("search audit: B never has the hidden record audited",
       audited(P[1991], "b.cw") == set(), audited(P[1991], "b.cw"))

# ---- the linkage review queue: paged, sorted, filtered, CSV ----------------------------------
r = ctip("link", "run", "--threshold", "0.995")
report("set-up: ctip link run beside the server", r.returncode == 0, r.stderr[-300:])
asup, bsup, csup = sup, U["b.sup"], U["c.sup"]


def review(client, **args):
    args.setdefault("min", "0.0001")
    st, js, text, _ = client.get("/api/link/review", **args)
    return st, js, text


st, js, text = review(asup)
allp = [(p["a"], p["b"]) for p in js.get("pairs", [])]
report("review: A's queue with the total, the page and its size", st == 200 and js["total"] == len(allp) > 0 and
       js["page"] == 1 and js["per_page"] == 50 and
       (min(P[1990], P["twin"]), max(P[1990], P["twin"])) in allp, text[:400])
probs = [p["probability"] for p in js["pairs"]]
report("review: most probable first by default", probs == sorted(probs, reverse=True), probs)
n = js["total"]
pages = [(p["a"], p["b"]) for pg in range(1, n + 1) for p in review(asup, per_page=1, page=pg)[1]["pairs"]]
report("review paged: one a page, the pages together are the queue", pages == allp, (pages, allp))
st, js, text = review(asup, sort="weight", dir="asc")
w = [p["weight"] for p in js["pairs"]]
report("review sort=weight&dir=asc", st == 200 and w == sorted(w) and js["total"] == n, w)
st, js, text = review(asup, sort="record")
rec = [(p["a"], p["b"]) for p in js["pairs"]]
report("review sort=record: by record ascending", st == 200 and rec == sorted(rec), rec)
st, js, text = review(asup, record=P["twin"])
report("review filter record: the pairs holding it only", st == 200 and js["total"] >= 1 and
       all(P["twin"] in (p["a"], p["b"]) for p in js["pairs"]), text[:300])
ny, nn = review(asup, linked="yes")[1]["total"], review(asup, linked="no")[1]["total"]
report("review filter linked=yes/no: the two make the whole", ny + nn == n, (ny, nn, n))
st, js, text, h = asup.get("/api/link/review", min="0.0001", format="csv")
report("review format=csv: every pair, as a file", st == 200 and h.get("content-type", "").startswith("text/csv") and
       text.startswith("a,b,probability,weight,linked") and len(text.splitlines()) == n + 1, text[:300])
st, js, text = review(bsup)
bp = {x for p in js.get("pairs", []) for x in (p["a"], p["b"])}
report("review for B: the pair of B's own record and A's shared one", st == 200 and P[1990] in bp and P["b"] in bp,
       text[:400])
report("review for B: never a pair with A's hidden record, nor A's own records", P[1991] not in bp and
       P["twin"] not in bp and P[1992] not in bp, (bp, P))
for args in ({"record": P[1991]}, {"record": P["twin"]}, {"sort": "weight"}, {"linked": "no"}, {"linked": "yes"},
             {"per_page": "1", "page": "2"}, {"format": "csv"}):
    st, js, text, _ = bsup.get("/api/link/review", min="0.0001", **args)
    report(f"review for B {args}: nothing of A's hidden or own records",
           st == 200 and not any(f"{x}" in text.replace(",", " ").replace(":", " ").replace("P", " ").split()
                                 for x in (P[1991], P["twin"], P[1992])) and
           (args.get("record") not in (P[1991], P["twin"]) or js["total"] == 0), text[:300])
st, js, text = review(asup, record=P[1991])
report("review (control): A sees the pairs of its record hidden from B", st == 200 and js["total"] >= 1, text[:300])
st, js, text = review(csup)
report("review for C: nothing", st == 200 and js["total"] == 0 and js["pairs"] == [], text[:200])
st, js, text = review(a)
report("review for a caseworker: 403", st == 403, text[:200])
st, js, text = review(asup, page="1000000")
report("review: a page beyond the end is empty, with the total", st == 200 and js["pairs"] == [] and
       js["total"] == n, text[:200])
for bad, field in [({"sort": "evil"}, "sort"), ({"dir": "up"}, "dir"), ({"per_page": "201"}, "per_page"),
                   ({"page": "0"}, "page"), ({"page": "99999999999"}, "page"), ({"linked": "maybe"}, "linked"),
                   ({"record": "P1"}, "record"), ({"max": "2"}, "max"), ({"format": "xml"}, "format"),
                   ({"limit": "101"}, "limit")]:
    st, js, text = review(asup, **bad)
    report(f"review bad {bad}: 400 naming {field}", st == 400 and js.get("field") == field, (st, text[:200]))

srv.terminate()
rc = srv.wait(timeout=60)
report("SIGTERM: the server exits 0 (and ASan finds no leak)", rc == 0, srv.stderr.read()[-1500:])
r = ctip("audit", "verify")
report("the audit log verifies", r.returncode == 0, r.stdout + r.stderr)
print(f"# {FAILS} failed")
sys.exit(1 if FAILS else 0)
