#!/usr/bin/env python3
"""Attack: learn who recruited another organisation's victims (GET/POST /api/recruiters;
issue 15; server/routes_recruiters.c).

A recruiter's name is identifying data about a person (a trafficker, or a victim's relative who
brokered the trip) and may single out the victim. Organisation A records a recruiter linked to
one of its cases. Attackers: B's caseworker and supervisor list, search and guess ids (404 as
for none, never the name); B, once A referred the case to it, still does not see the name (as a
case's recruiter field is withheld from a referral organisation without consent); an analyst,
an auditor and an admin (403); B linking its recruiter to A's case (404) or to a case referred
to it (403); bad input; the name in clear in the stolen database (files or dump) or in the
audit log; readings and changes without audit entries. Synthetic people only."""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ORGS, Registry, finish, report  # noqa: E402

NAME = "Người Môi Giới Thử Nghiệm Ẩn"
K1 = "Công ty Cung ứng Nhân lực Thử nghiệm Một"

reg = Registry()
reg.serve()
try:
    a_cw, a_sup = reg.client("a.caseworker"), reg.client("a.supervisor")
    b_cw, b_sup = reg.client("b.caseworker"), reg.client("b.supervisor")
    st, js = a_sup.post("/api/companies", {"name": K1, "licence_no": "101/TN-GP"})
    report("recruiter: set-up, a company in the register", st == 201, (st, js))

    def case(c, i):
        st, js = c.post("/api/cases", {"ctip_CaseOpenedDate": "2025-03-0%d" % (1 + i), "persons": [{
            "role": "victim", "prs_FirstName": f"Người Thử {i}", "prs_Birthdate": "1995-01-01",
            "prs_Gender": "Feminine", "ctip_Recruiter": K1}]})
        return js.get("id") if st == 201 else None

    a1, a2, b1 = case(a_cw, 1), case(a_cw, 2), case(b_cw, 3)
    report("recruiter: set-up, A's two cases and B's one", all((a1, a2, b1)), (a1, a2, b1))

    # ---- A records a recruiter -----------------------------------------------------------------
    st, js = a_cw.post("/api/recruiters", {"name": NAME, "company": K1, "province": "ha noi",
                                           "cases": [a1]})
    report("recruiter add: a caseworker records one on its case (201)", st == 201 and js.get("id") == 1,
           (st, js))
    rid = js.get("id") if js else None
    st, js = a_cw.get(f"/api/recruiters/{rid}")
    report("recruiter get: A sees the name opened, its company, province code and case",
           st == 200 and js.get("name") == NAME and js.get("company") == K1 and js.get("province") == "01"
           and js.get("cases") == [a1] and js["recorded"]["organisation"] == ORGS["A"][0], (st, js))
    st, js = a_sup.get("/api/recruiters?q=" + urllib.parse.quote("moi gioi"))
    report("recruiter list q= (folded, no diacritics): A's supervisor finds it",
           st == 200 and [x["id"] for x in js.get("recruiters", [])] == [rid] and js.get("total") == 1, (st, js))
    st, js = a_cw.post("/api/recruiters", {"kind": "company", "company": K1})
    report("recruiter add: a company as recruiter (its organisation's name)", st == 201, (st, js))
    cid = js.get("id") if js else None

    # ---- B, another organisation ---------------------------------------------------------------
    for who, c in (("caseworker", b_cw), ("supervisor", b_sup)):
        st, js = c.get("/api/recruiters")
        report(f"recruiter list: B's {who} sees none of A's",
               st == 200 and js.get("total") == 0 and NAME not in str(js), (st, js))
        st, js = c.get(f"/api/recruiters/{rid}")
        report(f"recruiter get: B's {who} gets 404 as for none", st == 404 and NAME not in str(js), (st, js))
        st, js = c.get("/api/recruiters?q=" + urllib.parse.quote("Người Môi Giới"))
        report(f"recruiter search: B's {who} finds nothing by the name", st == 200 and js.get("total") == 0,
               (st, js))
    st, js = b_cw.get("/api/recruiters/99")
    report("recruiter get: an id that does not exist: the same 404", st == 404, (st, js))
    st, js = b_cw.post("/api/recruiters", {"name": "Người Khác Thử", "cases": [a1]})
    report("recruiter add: B cannot link to A's case (404 as for none)", st == 404, (st, js))
    st, js = b_cw.post("/api/recruiters", {"name": "Người Khác Thử", "cases": [b1]})
    report("recruiter add: B links one to its own case", st == 201, (st, js))
    bid = js.get("id") if js else None
    st, js = a_cw.get("/api/recruiters")
    report("recruiter list: A does not see B's", st == 200 and bid not in [x["id"] for x in js["recruiters"]]
           and "Người Khác" not in str(js), (st, js))

    # ---- a referral: B sees the case, not the recruiter's name ---------------------------------
    st, js = a_cw.post("/api/referrals", {"case_id": a1, "to_org": ORGS["B"][0], "reason": "Shelter"})
    report("recruiter: A refers its case to B", st == 201, (st, js))
    st, js = b_cw.get(f"/api/cases/{a1}")
    report("recruiter: B now sees the referred case", st == 200, st)
    st, js = b_cw.get(f"/api/recruiters/{rid}")
    report("recruiter get: a referral organisation does not see the recruiter (404)",
           st == 404 and NAME not in str(js), (st, js))
    st, js = b_cw.get("/api/recruiters")
    report("recruiter list: nor in its list", st == 200 and rid not in [x["id"] for x in js["recruiters"]]
           and NAME not in str(js), (st, js))
    st, js = b_cw.post("/api/recruiters", {"name": "Người Khác Thử", "cases": [a1]})
    report("recruiter add: B cannot link to a case referred to it (403, not the owner)",
           st == 403 and js.get("code") == "not_owner", (st, js))

    # ---- roles that never see a person's name --------------------------------------------------
    for role in ("analyst", "auditor", "admin"):
        c = reg.client(f"a.{role}")
        st, js = c.get("/api/recruiters")
        report(f"recruiter list: A's {role} is refused (403)", st == 403 and NAME not in str(js), (st, js))
        st, js = c.get(f"/api/recruiters/{rid}")
        report(f"recruiter get: A's {role} is refused (403)", st == 403, (st, js))
        st, js = c.post("/api/recruiters", {"name": "X Thử"})
        report(f"recruiter add: A's {role} is refused (403)", st == 403, (st, js))

    # ---- bad input ----------------------------------------------------------------------------
    bad = [({"name": ""}, "name"), ({"kind": "ghost", "name": "X"}, "kind"), ({"kind": "company"}, "company"),
           ({"name": "X", "province": "Atlantis"}, "province"), ({"name": "X", "cases": "1"}, "cases"),
           ({"name": "X", "cases": ["C1"]}, "cases"), ({"name": "X", "cases": list(range(1, 70))}, "cases"),
           ({"name": "X", "company": "Công ty Không Có"}, "company"), ({"name": "X" * 251}, "name"),
           ({"name": "X", "recorded_org": 2}, None)]
    for body, field in bad:
        st, js = a_cw.post("/api/recruiters", body)
        report(f"recruiter add: bad input {str(body)[:60]} is 400" + (f" naming {field}" if field else ""),
               st == 400 and (field is None or js.get("field") == field), (st, js))
    st, js = a_cw.post("/api/recruiters", {"name": "X Thử"}, csrf=False)
    report("recruiter add: without the CSRF token refused", st == 403, (st, js))
    st, js = a_cw.get("/api/recruiters?page=0")
    report("recruiter list: page=0 is 400", st == 400, (st, js))
    st, js = a_cw.get("/api/recruiters?q=" + "x" * 201)
    report("recruiter list: a q longer than 200 bytes is 400", st == 400, (st, js))
    st, js = a_cw.get("/api/recruiters?q=%ff")
    report("recruiter list: a q not UTF-8 is 400", st == 400, (st, js))
finally:
    reg.stop()

# ---- what is kept, and the log ---------------------------------------------------------------
raw = reg.raw()
report("stolen database: the recruiter's name is sealed (not in the files or dump in clear)",
       len(raw) > 1000 and NAME.encode() not in raw and "Người Khác Thử".encode() not in raw, len(raw))
log = reg.ctip("audit", "log").stdout
report("audit: the addition (recruiter-add with the recruiter and its case)",
       "recruiter-add" in log and f"R{rid}" in log, log[-400:])
report("audit: the readings (view of R1)", any("view" in ln and f"R{rid}" in ln for ln in log.splitlines()),
       log[-400:])
report("audit: the name never enters the log", NAME not in log and "Người Khác Thử" not in log)
report("audit: the log verifies", reg.ctip("audit", "verify").returncode == 0)
_ = cid
finish()
