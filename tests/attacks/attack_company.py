#!/usr/bin/env python3
"""Attack: learn another organisation's cases through the register of companies
(GET /api/companies, /api/companies/{id}; issue 15 item 1).

The counts per company (cases, victims, exploitation types, the list of companies with forced
labour and no sanction) are computed from cases. An insider of organisation A tries to read
B's numbers: in the list, in one company's page, by sorting by cases, by searching; a
caseworker tries to write the register; an auditor and an admin read counts they have no
business with. Counts are of the cases the organisation may see (its own, and those referred
to it), small ones withheld; analysts see every organisation's, withheld under 5; auditors and
admins the register only."""
from harness import ORGS, Registry, finish, report

reg = Registry()
reg.skip_unless("attack_company", "company", "list")
reg.serve()
a_sup, b_sup = reg.client("a.supervisor"), reg.client("b.supervisor")
a_cw, b_cw = reg.client("a.caseworker"), reg.client("b.caseworker")
K1, K2 = "Công ty Cung ứng Nhân lực Thử nghiệm Một", "Công ty Xuất khẩu Lao động Thử nghiệm Hai"
st, js = a_sup.post("/api/companies", {"name": K1, "licence_no": "101/TN-GP", "licence_status": "active",
                                       "licence_from": "2019-05-01", "licence_to": "2026-05-01",
                                       "province": "Hà Nội", "source": "synthetic extract"})
report("company: a supervisor adds a company (201)", st == 201 and js.get("id") == 1, (st, js))
st, js = b_sup.post("/api/companies", {"name": K2, "licence_no": "202/TN-GP", "licence_status": "suspended"})
report("company: another supervisor adds one (201)", st == 201, (st, js))


def case(c, company, i, ex="ForcedLabour"):
    st, js = c.post("/api/cases", {"ctip_CaseOpenedDate": "2025-03-0%d" % (1 + i % 9), "persons": [{
        "role": "victim", "prs_FirstName": f"Người Thử {i}", "prs_Birthdate": "1995-01-01",
        "prs_Gender": "Masculine", "vic_TypeOfExploitation": [ex], "ctip_Recruiter": company}]})
    return js.get("id") if st == 201 else None


a_cases = [case(a_cw, K1, i) for i in range(6)] + [case(a_cw, K2, 10 + i) for i in range(2)]
b_cases = [case(b_cw, K2, 20 + i) for i in range(5)] + [case(b_cw, K1, 30 + i) for i in range(3)]
report("company: A's 8 and B's 8 cases recorded", all(a_cases) and all(b_cases), (a_cases, b_cases))


def counts(c, path="/api/companies"):
    st, js = c.get(path)
    if path == "/api/companies":
        return st, {x["id"]: (x.get("cases"), x.get("victims")) for x in (js or {}).get("companies", [])}, js
    return st, (js or {}).get("cases"), js


st, a_view, js = counts(a_cw)
report("company list: A's caseworker counts A's cases only (K1: 6; K2: 2 withheld)",
       st == 200 and a_view == {1: (6, 6), 2: (None, None)}, (st, a_view))
report("company list: ... and says so (scope)", "Tổ chức Thử nghiệm A" in (js or {}).get("scope", ""), js)
st, b_view, js = counts(b_cw)
report("company list: B's caseworker counts B's cases only (K1: 3 withheld; K2: 5)",
       st == 200 and b_view == {1: (None, None), 2: (5, 5)}, (st, b_view))
report("company list: no total of both organisations' cases (9 or 11) reaches either",
       not any(v in ((9, 9), (11, 11), (7, 7)) for v in list(a_view.values()) + list(b_view.values())))
st, c1, js = counts(b_cw, "/api/companies/1")
report("company page: B sees K1 with its own 3 withheld, never A's 6 or the 9",
       st == 200 and c1 is None and js.get("exploitation_types", {}).get("ForcedLabour") is None, (st, js))
st, _, js = counts(b_cw, "/api/companies?sort=cases")
report("company list sorted by cases: the same counts", st == 200, (st, js))
ids = [x["id"] for x in js.get("companies", [])] if js else []
report("company list sort=cases: most first (K2's 5 before K1's withheld)", ids[:1] == [2], ids)
st, js = b_cw.get("/api/companies?q=nhan%20luc")
report("company search q= (folded, no diacritics): finds K1 only",
       st == 200 and [x["id"] for x in js["companies"]] == [1], (st, js))
# a referral: A refers one of its K2 cases to B, which then counts it
st, js = a_cw.post("/api/referrals", {"case_id": a_cases[6], "to_org": ORGS["B"][0], "reason": "Shelter"})
st2, b_view2, _ = counts(b_cw)
report("company list: a case referred to B counts for B (K2: 6)", st == 201 and b_view2.get(2) == (6, 6), (st, b_view2))
st, a_view2, _ = counts(a_cw)
report("... and still A's 2 for A (withheld)", a_view2.get(2) == (None, None), a_view2)
# forced labour without sanction: K1 (A's view: 6 cases), K2 once sanctioned leaves the list
st, js = b_sup.post("/api/companies/2/sanctions", {"date": "2025-06-01", "authority": "Bộ Thử nghiệm",
                                                   "decision": "licence suspended"})
report("sanction: a supervisor records one (201)", st == 201, (st, js))
st, js = a_cw.get("/api/companies")
report("forced labour and no sanction: K1 only", st == 200 and
       [x["id"] for x in js.get("forced_labour_without_sanction", [])] == [1], js)
# the analyst: every organisation's cases, withheld under 5; auditors and admins: no counts
st, an, _ = counts(reg.client("a.analyst"))
report("company list: the analyst counts every organisation's (K1: 9, K2: 7)", an == {1: (9, 9), 2: (7, 7)}, an)
for role in ["auditor", "admin"]:
    st, js = reg.client("c." + role).get("/api/companies/1")
    report(f"company page: the {role} sees the register, no counts",
           st == 200 and "cases" not in js and js.get("licence_no") == "101/TN-GP", (st, js))
# writes: caseworkers, analysts and auditors may not; bad input; CSRF
for who in ["a.caseworker", "a.analyst", "a.auditor"]:
    st, js = reg.client(who).post("/api/companies", {"name": "Công ty Lạ Thử nghiệm"})
    report(f"company add: {who} 403", st == 403, (st, js))
st, js, _, _ = a_sup.req("POST", "/api/companies", {"name": "Công ty CSRF Thử nghiệm"}, csrf=False)
report("company add without the CSRF token: 403", st == 403, (st, js))
for body, field in [({"name": K1}, None), ({"name": "X Thử", "licence_status": "closed"}, "licence_status"),
                    ({"name": "Y Thử", "licence_from": "2025-99-01"}, "licence_from"),
                    ({"name": "Z Thử", "extra": 1}, None), ({}, "name")]:
    st, js = a_sup.post("/api/companies", body)
    report(f"company add: bad input {sorted(body)} -> 400" + (f" naming {field}" if field else ""),
           st == 400 and (field is None or js.get("field") == field), (st, js))
st, js = a_sup.post("/api/companies/99/sanctions", {"date": "2025-01-01", "authority": "X", "decision": "Y"})
report("sanction of an unknown company: 404", st == 404, (st, js))
st, js = a_cw.get("/api/companies/99")
report("an unknown company: 404", st == 404, (st, js))
st, js = a_cw.get("/api/companies?sort=evil")
report("sort=evil: 400", st == 400, (st, js))
log = reg.ctip("audit", "log").stdout
report("company: readings and changes audited", "company-add" in log and "company-sanction" in log and
       "companies" in log, log[-500:])
report("company: the server stops cleanly", reg.stop() == 0, getattr(reg, "last_err", ""))
finish()
