#!/usr/bin/env python3
"""Attack: a supervisor uses the linkage review API (GET /api/link/pair, GET /api/link/review,
POST /api/link/decide) to learn about, or merge, records it may not see (issue 10, item 1).

The probe: B's supervisor records a person in one of B's own cases with a guessed name, birth
date and phone, and asks how it compares with A's hidden record. Before the fix the answer
said which comparisons agree ("exact", probability 0.99999999), so changing the probe and
asking again recovered the hidden family name; and decide accepted any pair. Now every pair
of which B may not see both identities is 404 with the body of a pair that does not exist,
and records the last run did not link are never compared on demand."""
import json

from harness import Registry, finish, report

reg = Registry()
reg.serve()
a = reg.client("a.caseworker")
b = reg.client("b.caseworker")
sa = reg.client("a.supervisor")
sb = reg.client("b.supervisor")
NAME_A, NAME_B = reg.orgs["A"][0], reg.orgs["B"][0]

HIDDEN = {"role": "victim", "prs_FirstName": "Quyên", "prs_SecondName": "Lưu", "prs_MiddleName": "Thị",
          "prs_Birthdate": "1996-07-21", "prs_Gender": "Female", "prs_MobilePhone": "0912 345 678",
          "identity_documents": [{"ctip_IdentityType": "CCCD", "prs_IdentityNumber": "001196077777"}]}
NOSHARE = dict(HIDDEN, prs_FirstName="Nhàn", prs_SecondName="Kiều", prs_MobilePhone="0918 765 432",
               identity_documents=[{"ctip_IdentityType": "CCCD", "prs_IdentityNumber": "001196088888"}],
               con_Consent=True, ctip_ConsentScope=["ShareWithReferralOrgs"])


def first_person(c, case_id):
    return c.get(f"/api/cases/{case_id}")[1]["persons"][0]["id"]


# A's records: one never referred, one referred to B without consent to share identity
ca = a.post("/api/cases", {"persons": [HIDDEN]})[1]["id"]
hidden = first_person(a, ca)
cn = a.post("/api/cases", {"persons": [NOSHARE]})[1]["id"]
noshare = first_person(a, cn)
a.post("/api/referrals", {"case_id": cn, "to_org": NAME_B})
# B's probes of both, made before the run so that the run scores them
probe = first_person(b, b.post("/api/cases", {"persons": [dict(HIDDEN, prs_MobilePhone="0912 345 678")]})[1]["id"])
probe2 = first_person(b, b.post("/api/cases", {"persons": [dict(NOSHARE)]})[1]["id"])
# B's own pair: a control that B may review
own1 = first_person(b, b.post("/api/cases", {"persons": [dict(HIDDEN, prs_FirstName="Duyên",
                                                              prs_MobilePhone="0977 000 111")]})[1]["id"])
own2 = first_person(b, b.post("/api/cases", {"persons": [dict(HIDDEN, prs_FirstName="Duyên",
                                                              prs_MobilePhone="0977 000 222")]})[1]["id"])
# a high threshold puts every scored pair in the review band
r = reg.ctip("link", "run", "--threshold", "0.99999999")
report("link: ctip link run", r.returncode == 0, r.stderr)

st_missing, _, body_missing, _ = sb.req("GET", f"/api/link/pair?a={probe}&b=987654")
report("link: a pair with a record that does not exist is 404", st_missing == 404, body_missing)
secrets = ["Quyên", "Lưu", "Nhàn", "Kiều", "exact", "0912", "912345678", "001196077777"]
for name, q in [("a hidden record", f"a={probe}&b={hidden}"), ("the other order", f"a={hidden}&b={probe}"),
                ("a referred record without consent to share identity", f"a={probe2}&b={noshare}")]:
    st, js, text, _ = sb.req("GET", "/api/link/pair?" + q)
    report(f"link pair: the probe against {name} is the same 404 as a missing pair",
           st == 404 and text == body_missing and not any(x in text for x in secrets), (st, text[:300]))

# the probe created after the run: never compared on demand, even against B's own records
late = first_person(b, b.post("/api/cases", {"persons": [dict(HIDDEN, prs_FirstName="Duyên")]})[1]["id"])
st, js, text, _ = sb.req("GET", f"/api/link/pair?a={late}&b={own1}")
report("link pair: a record made after the last run is not compared on demand (404)",
       st == 404 and text == body_missing, (st, text[:300]))
# a record changed since the run is not compared either
b.req("PATCH", f"/api/persons/{own2}", {"prs_FirstName": "Duyen"})
st, js, text, _ = sb.req("GET", f"/api/link/pair?a={own1}&b={own2}")
report("link pair: a record changed since the last run is not compared (404)",
       st == 404 and text == body_missing, (st, text[:300]))
st, js, text, _ = sb.req("GET", f"/api/link/pair?a={probe}&b={own1}")
report("link pair (control): B compares two of its own records of the last run (200)",
       st == 200 and len(js.get("comparisons", [])) == 12 and js["a"].get("record") and js["b"].get("record"),
       (st, text[:300]))

st, js, text, _ = sb.req("GET", "/api/link/review?min=0.0001&limit=100")
shown = {x for p in (js or {}).get("pairs", []) for x in (p["a"], p["b"])}
report("link review: no pair with a record whose identity B may not see",
       st == 200 and hidden not in shown and noshare not in shown, text[:300])
report("link review (control): B's own pairs are listed", probe in shown and own1 in shown, text[:300])
r = reg.sql(f"SELECT count(*) FROM link_pair WHERE a = {hidden} OR b = {hidden}")
report("link review (control): the run did score the hidden record", int(r.stdout or 0) > 0, r.stdout)
st, js, text, _ = sa.req("GET", "/api/link/review?min=0.0001&limit=100")
shown = {x for p in (js or {}).get("pairs", []) for x in (p["a"], p["b"])}
report("link review: nor for A (B's probes hidden from A)", st == 200 and probe not in shown, text[:300])

for pair in [(probe, hidden), (probe2, noshare)]:
    st, js, text, _ = sb.req("POST", "/api/link/decide", {"a": pair[0], "b": pair[1], "decision": "same"})
    report(f"link decide: B cannot force-merge {pair} (the same 404 as a missing pair)",
           st == 404 and text == body_missing, (st, text[:300]))
st, js, text, _ = sb.req("POST", "/api/link/decide", {"a": probe, "b": 987654, "decision": "same"})
report("link decide: a missing record gives that same 404", st == 404 and text == body_missing, (st, text[:300]))
r = reg.sql("SELECT count(*) FROM link_decision")
report("link decide: no decision was stored", r.stdout.strip() == "0", r.stdout + r.stderr)
r = reg.ctip("link", "run")
r2 = reg.ctip("link", "explain", f"P{probe}", f"P{hidden}")
report("link: the probe and the hidden record stay apart unless the model links them",
       r.returncode == 0 and "decided" not in r2.stdout, r2.stdout[-300:])
report("link: the server stops cleanly", reg.stop() == 0, reg.last_err)
finish()
