#!/usr/bin/env python3
"""Attack: read a victim's whereabouts from the free text of a case referred without consent
(issue 10, item 3). Before the fix a referral organisation saw `cas_ReasonForCaseClosure`
("closed: victim NAME moved to shelter X") and `ctip_Recruiter` even when every person was
redacted for lack of consent; the places of events, the referrals to other organisations (a
shelter) and, through GET /api/orgs, every recruiter named in any case were shown too. Now
access.c decides field by field (docs/SECURITY.md, "What a referral organisation sees")."""
from harness import Registry, finish, report

reg = Registry()
reg.serve()
a = reg.client("a.caseworker")
b = reg.client("b.caseworker")
B, C = reg.orgs["B"][0], reg.orgs["C"][0]
SECRETS = ["Đinh Thị Mơ", "Hoa Sen", "Bà Tư Hường", "Lý Thường Kiệt", "Ngõ 7", "Quán Gió", "Mái ấm Bình Yên",
           "Nhà tạm lánh"]
FREE = {"cas_Status": "Closed", "ctip_CaseOpenedDate": "2025-01-10", "ctip_CaseClosedDate": "2025-06-01",
        "cas_ReasonForCaseClosure": "closed: victim Đinh Thị Mơ moved to shelter Hoa Sen"}


def victim(**kw):
    v = {"role": "victim", "prs_FirstName": "Mơ", "prs_SecondName": "Đinh", "prs_MiddleName": "Thị",
         "prs_Birthdate": "2001-03-04", "prs_Gender": "Female", "ctip_Recruiter": "Bà Tư Hường",
         "vic_TypeOfExploitation": ["SexualExploitation"],
         "exploitation": [{"ctip_ExploitationCountry": "VN", "ctip_ExploitationPlace": "Quán Gió"}],
         "events": [{"hte_Type": "Recruitment", "hte_Date": "2024-11", "hte_Country": "VN",
                     "hte_State": "Ngõ 7", "hte_City": "12 Lý Thường Kiệt"}],
         "assistance": [{"ctip_AssistanceKind": "EssentialNeedsAndTravel", "ctip_AssistanceProvider": "Mái ấm Bình Yên"}]}
    v.update(kw)
    return v


# a case referred to B without consent to share identity, and also to a shelter (C)
st, js = a.post("/api/cases", dict(FREE, persons=[victim(), {"role": "perpetrator", "prs_FirstName": "Tư"}]))
report("freetext: set-up (a closed case with free text)", st == 201, js)
cid = js["id"]
a.post("/api/referrals", {"case_id": cid, "to_org": B, "reason": "Legal"})
a.post("/api/referrals", {"case_id": cid, "to_org": C, "reason": "Nhà tạm lánh cho Mơ"})
pid = a.get(f"/api/cases/{cid}")[1]["persons"][0]["id"]
item = a.get(f"/api/assistance?case_id={cid}")[1]["assistance"][0]["id"]
for name, path in [("the case", f"/api/cases/{cid}"), ("its persons", f"/api/persons?case_id={cid}"),
                   ("the victim", f"/api/persons/{pid}"), ("the organisations", "/api/orgs"),
                   ("its assistance", f"/api/assistance?case_id={cid}"), ("an assistance item", f"/api/assistance/{item}")]:
    st, js, text, _ = b.req("GET", path)
    leaked = [s for s in SECRETS if s in text]
    report(f"freetext: B (referral, no consent) reads no free text in {name}", st == 200 and not leaked,
           (st, leaked, text[:400]))
st, js = b.get(f"/api/cases/{cid}")
report("freetext: B sees the case's facts and that text was withheld",
       js.get("cas_Status") == "Closed" and js.get("closure_redacted") is True and
       js["persons"][0].get("redacted") is True and
       js["persons"][0].get("vic_TypeOfExploitation") == ["SexualExploitation"] and
       js["persons"][0]["events"][0].get("hte_Type") == "Recruitment", js)
report("freetext: B sees only the referral made to B", [x["to_org"] for x in js["referrals"]] == [B],
       js.get("referrals"))
st, js, text, _ = a.req("GET", f"/api/cases/{cid}")
report("freetext (control): the owner reads all of it", st == 200 and all(s in text for s in SECRETS[:7]),
       text[:400])

# every person consented: the closure reason may go with the identities
SHARE = {"con_Consent": True, "ctip_ConsentScope": ["ShareWithReferralOrgs", "ShareIdentity"]}
st, js = a.post("/api/cases", dict(FREE, persons=[victim(**SHARE)]))
cid2 = js["id"]
a.post("/api/referrals", {"case_id": cid2, "to_org": B})
st, js, text, _ = b.req("GET", f"/api/cases/{cid2}")
report("freetext (control): with every person's consent B reads the closure reason and the recruiter",
       st == 200 and "Hoa Sen" in text and "Bà Tư Hường" in text and "Lý Thường Kiệt" in text, text[:400])
# with one person of the case not consenting, the case's text stays withheld
st, js = a.post("/api/cases", dict(FREE, persons=[victim(**SHARE), {"role": "witness", "prs_FirstName": "Sáu"}]))
cid3 = js["id"]
a.post("/api/referrals", {"case_id": cid3, "to_org": B})
st, js, text, _ = b.req("GET", f"/api/cases/{cid3}")
report("freetext: one person without consent keeps the closure reason withheld, the consenting victim's "
       "recruiter shown", st == 200 and "Hoa Sen" not in text and "Bà Tư Hường" in text, text[:400])
st, js, text, _ = a.req("POST", "/api/referrals", {"case_id": cid3, "to_org": "Bà Tư Hường"})
report("freetext: a name found in the data is no organisation to refer to (400)", st == 400, text)
report("freetext: the server stops cleanly", reg.stop() == 0, reg.last_err)
finish()
