"""Correcting an item of a case (PATCH /api/events/{id}, /api/assistance/{id}, /api/proceedings/{id};
issue 14: events, assistance and proceedings editable from the case page). The owner corrects
one field and keeps the others; everyone else is refused: another organisation's insider (every
role) gets the answer of a missing item, the organisation the case was referred to reads but may
not change (403), a stale copy is refused (409) and never overwrites a colleague's change, bad
values and unknown fields are 400 with the field named, an item cannot be emptied, ids that do not
exist or point past a person's items are 404, and every correction is in the audit log.
Synthetic people only."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ORGS, Registry, finish, report  # noqa: E402

reg = Registry()
reg.serve()
try:
    cl = {}
    for k in "ABC":
        for role in ("caseworker", "supervisor", "analyst", "auditor", "admin"):
            cl[f"{k}.{role}"] = reg.client(f"{k.lower()}.{role}")
    a, b = cl["A.caseworker"], cl["B.caseworker"]
    VICTIM = {"role": "victim", "prs_FirstName": "Thử", "prs_SecondName": "Lê", "prs_Birthdate": "1999"}
    st, js = a.post("/api/cases", {"persons": [VICTIM], "cas_Status": "Active"})
    report("set-up: A's case", st == 201, (st, js))
    ca = js["id"]
    st, js = a.get(f"/api/cases/{ca}")
    pid = js["persons"][0]["id"]
    st, js = a.post("/api/events", {"case_id": ca, "person_id": pid, "hte_Type": "Recruitment",
                                    "hte_Date": "2023-04", "hte_Country": "VNM", "hte_City": "Vinh"})
    report("set-up: an event recorded (201)", st == 201, (st, js))
    ev = js.get("id")
    st, js = a.post("/api/events", {"case_id": ca, "person_id": pid, "hte_Type": "Exploitation",
                                    "hte_Country": "KHM"})
    ev2 = js.get("id")
    st, js = a.post("/api/assistance", {"case_id": ca, "person_id": pid,
                                        "ctip_AssistanceKind": "Medical", "ctip_AssistanceDate": "2024-01-02"})
    report("set-up: an assistance item (201)", st == 201, (st, js))
    asid = js.get("id")
    st, js = a.post("/api/proceedings", {"case_id": ca, "person_id": pid, "ctip_ProcStage": "Investigated"})
    report("set-up: a proceeding (201)", st == 201, (st, js))
    prid = js.get("id")
    st, _ = a.post("/api/referrals", {"case_id": ca, "to_org": ORGS["B"][0], "reason": "Shelter"})
    report("set-up: A's case referred to B", st == 201, st)
    version = a.get(f"/api/cases/{ca}")[1].get("version")

    # ---- the owner corrects ------------------------------------------------------------------
    st, js = a.get(f"/api/events/{ev}")
    report("GET /api/events/{id}: the owner reads the event",
           st == 200 and js.get("hte_Type") == "Recruitment" and js.get("hte_City") == "Vinh", (st, js))
    st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", {"hte_Date": "2023-05-14", "version": version})
    report("PATCH /api/events/{id}: the owner corrects the date (200), the case's version moves on",
           st == 200 and js.get("hte_Date") == "2023-05-14" and js.get("version") == version + 1, (st, js))
    st, js = a.get(f"/api/events/{ev}")
    report("the correction is stored; the fields not named are kept",
           js.get("hte_Date") == "2023-05-14" and js.get("hte_Type") == "Recruitment"
           and js.get("hte_Country") == "VN" and js.get("hte_City") == "Vinh", js)
    st, js = a.get(f"/api/events/{ev2}")
    report("the other event of the person is untouched",
           js.get("hte_Type") == "Exploitation" and js.get("hte_Country") == "KH" and not js.get("hte_Date"), js)
    st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", {"hte_City": None})
    report("a field can be cleared (null), without a version the change applies",
           st == 200 and "hte_City" not in js, (st, js))
    st, js = a.get(f"/api/cases/{ca}")
    evs = js["persons"][0].get("events", [])
    report("the case page shows the corrected events",
           len(evs) == 2 and evs[0].get("hte_Date") == "2023-05-14" and not evs[0].get("hte_City"), evs)
    st, js, _, _ = a.req("PATCH", f"/api/assistance/{asid}", {"ctip_AssistanceDate": "2024-02-03"})
    report("PATCH /api/assistance/{id}: the owner corrects the date", st == 200
           and js.get("ctip_AssistanceDate") == "2024-02-03" and js.get("ctip_AssistanceKind") == "Medical", (st, js))
    st, js, _, _ = a.req("PATCH", f"/api/proceedings/{prid}", {"ctip_ProcStage": "Prosecuted"})
    report("PATCH /api/proceedings/{id}: the owner corrects the stage", st == 200
           and js.get("ctip_ProcStage") == "Prosecuted", (st, js))

    # ---- a stale copy -------------------------------------------------------------------------
    st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", {"hte_Type": "Transit", "version": version})
    report("a correction made on a stale copy of the case is refused (409)", st == 409, (st, js))
    st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", {"hte_Type": "Transit"},
                         headers={"If-Match": f'"{version}"'})
    report("the same through If-Match (409)", st == 409, (st, js))
    st, js = a.get(f"/api/events/{ev}")
    report("the stale correction changed nothing", js.get("hte_Type") == "Recruitment", js)
    st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", {"hte_Type": "Transit", "version": "2"})
    report("a version that is not a number is 400 naming version",
           st == 400 and js.get("field") == "version", (st, js))
    # two colleagues correcting the same case at once from one copy: one wins, one is told
    now = a.get(f"/api/cases/{ca}")[1]["version"]
    a2 = reg.client("a.supervisor")
    res = []

    def fix(c, body):
        st, js, _, _ = c.req("PATCH", f"/api/events/{ev}", dict(body, version=now))
        res.append(st)

    ts = [threading.Thread(target=fix, args=(a, {"hte_City": "Vinh"})),
          threading.Thread(target=fix, args=(a2, {"hte_City": "Hue"}))]
    [t.start() for t in ts]
    [t.join() for t in ts]
    report("two corrections from one copy at once: one 200, one 409", sorted(res) == [200, 409], res)

    # ---- bad input ------------------------------------------------------------------------------
    for body, field, what in (
            ({"hte_Type": "NotAType"}, "hte_Type", "a type outside the vocabulary"),
            ({"hte_Date": "31/02/2023"}, "hte_Date", "a date that does not exist"),
            ({"hte_Country": "Atlantis"}, "hte_Country", "a country that does not exist"),
            ({"hte_City": "a;b"}, "hte_City", "a value holding the list separator"),
            ({"hte_Type": None}, "hte_Type", "emptying the event's type"),
            ({"hte_Type": ""}, "hte_Type", "an empty type"),
            ({"prs_FirstName": "X"}, None, "a field that is not the event's"),
            ({"case_id": 1}, None, "moving the event to another case")):
        st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", body)
        report(f"400 for {what}" + (f", naming {field}" if field else ""),
               st == 400 and (field is None or js.get("field") == field), (st, js))
    st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", raw=b"{not json")
    report("a body that is not JSON is 400", st == 400, (st, js))
    st, js = a.get(f"/api/events/{ev}")
    report("after the refusals the event is as it was",
           js.get("hte_Type") == "Recruitment" and js.get("hte_Date") == "2023-05-14", js)

    # ---- ids that are not an item ----------------------------------------------------------------
    base = ev - ev % 65536
    for bad, what in ((base + 7, "past the person's events"), (ev + 65536 * 1000, "of no person in any case"),
                      (99999999999, "far out of range")):
        st, js, _, _ = a.req("PATCH", f"/api/events/{bad}", {"hte_City": "X"})
        report(f"an id {what} is 404", st == 404, (st, js))
    st, js = a.get(f"/api/assistance/{asid}")
    report("correcting the event did not touch the assistance item sharing its id",
           js.get("ctip_AssistanceDate") == "2024-02-03" and not js.get("hte_City"), js)
    report("item ids are positions in a person's list of that kind: the event and the assistance "
           "item that both come first share an id (nothing to guess across kinds)", asid == ev, (asid, ev))

    # ---- other organisations -------------------------------------------------------------------
    st, js, _, _ = b.req("PATCH", f"/api/events/{ev}", {"hte_City": "X"})
    report("the organisation the case was referred to may not correct it (403)", st == 403, (st, js))
    st, js = b.get(f"/api/events/{ev}")
    report("the organisation the case was referred to reads the event", st == 200, (st, js))
    missing_st, missing = a.get("/api/events/99999999999")
    for who, c in cl.items():
        if who.startswith("A.") or who == "B.caseworker":
            continue
        st, js, _, _ = c.req("PATCH", f"/api/events/{ev}", {"hte_City": "X"})
        if who.startswith("C.") and who.split(".")[1] in ("caseworker", "supervisor"):
            report(f"{who} (another organisation) gets the answer of a missing item",
                   st == 404 and js == missing, (st, js))
        else:
            report(f"{who}: refused", st in (403, 404), (st, js))
    st, js, _, _ = cl["A.analyst"].req("PATCH", f"/api/events/{ev}", {"hte_City": "X"})
    report("an analyst of the owner may not correct (403)", st == 403, (st, js))
    st, js = a.get(f"/api/events/{ev}")
    report("none of the refused attempts changed the event", js.get("hte_City") in ("Vinh", "Hue"), js)
    st, js, _, _ = a.req("PATCH", f"/api/events/{ev}", {"hte_City": "X"}, csrf=False)
    report("without the CSRF token: refused (403)", st == 403, (st, js))

    # ---- the audit ----------------------------------------------------------------------------
    r = reg.ctip("audit", "log", "--person", str(pid))
    lines = [line for line in r.stdout.splitlines() if f"C{ca} events 0" in line and " update " in line]
    report("the event's recording and each of its 3 corrections are in the audit log", len(lines) == 4,
           "\n".join(lines))
    r = reg.ctip("audit", "verify")
    report("the audit chain verifies", r.returncode == 0, r.stdout + r.stderr)
finally:
    reg.stop()
finish()
