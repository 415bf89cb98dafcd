#!/bin/sh
# The main job of `make run`: a demo in which every page has something to show, then the server
# in the foreground (Ctrl-C or SIGTERM stops it cleanly).
#
# The first run (or `--reset`, `make run RESET=1`) makes a new embedded database: a synthetic
# data set, record linkage run, the ledger of published figures loaded (data/figures), and in
# the organisation with the most cases: an admin, a caseworker, a supervisor, an analyst and an
# auditor; a caseworker and a supervisor in a second organisation; casework on its cases (stages,
# assignments, risk assessments, follow-up plans and contacts, an approval waiting), hotline
# contacts, and referrals between the two organisations (one of them still unread).
# Later runs keep the database and whatever was entered in it; each run gives the demo accounts
# new passwords (`ctip user passwd`) and prints them here, on the terminal only.
#   CTIP_DB (var/demo.db), DEMO_PERSONS (20000), CTIP_LISTEN (127.0.0.1:8080)
set -eu
cd "$(dirname "$0")/.."
CTIP=build/ctip
DB=${CTIP_DB:-var/demo.db}
N=${DEMO_PERSONS:-20000}
LISTEN=${CTIP_LISTEN:-127.0.0.1:8080}
RESET=${RESET:-}
[ "${1:-}" = "--reset" ] && RESET=1
mkdir -p var
ctip() { $CTIP --db "$DB" "$@"; }
q() { sqlite3 "$DB" "$1"; }
pw() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16; }
# a demo step: tried three times (a busy database is waited for), a warning if it still fails
step() {
	for n in 1 2 3; do
		if ctip "$@" >/dev/null 2>var/demo-step.err; then return 0; fi
		sleep 1
	done
	echo "   (demo data: ctip $1 $2 failed: $(tail -n 1 var/demo-step.err))"
}

if [ -n "$RESET" ] || [ ! -f "$DB" ]; then
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm"
	echo "== ctip init ($DB)"
	ctip init
	echo "== ctip demo generate --persons $N --seed 2026"
	$CTIP demo generate --persons "$N" --seed 2026 -o var/demo.csv --truth var/demo-truth.csv
	echo "== ctip import var/demo.csv (creates the organisations of the data set)"
	ctip import var/demo.csv | tail -n 3
	echo "== ctip link run (record linkage: the review queue and persons trafficked again)"
	ctip link run | tail -n 2
	echo "== ctip figures import data/figures/vietnam.csv (the ledger of published figures)"
	ctip figures import data/figures/vietnam.csv | tail -n 1
	# the organisation with the most cases gets the demo accounts; the next one a second team
	org=$(q "select o.name from cases c join organisation o on o.id = c.org_id group by o.id order by count(*) desc limit 1")
	org2=$(q "select o.name from cases c join organisation o on o.id = c.org_id group by o.id order by count(*) desc limit 1 offset 1")
	tmp=$(pw)
	for a in "admin admin" "demo.caseworker caseworker" "demo.supervisor supervisor" \
		"demo.analyst analyst" "demo.auditor auditor"; do
		set -- $a
		echo "$tmp$1" | ctip user add "$1" --org "$org" --role "$2" >/dev/null
	done
	echo "$tmp-b1" | ctip user add partner.caseworker --org "$org2" --role caseworker >/dev/null
	echo "$tmp-b2" | ctip user add partner.supervisor --org "$org2" --role supervisor >/dev/null
	echo "== casework on the cases of $org"
	i=0
	for id in $(q "select c.id from cases c join organisation o on o.id = c.org_id where o.name = '$(printf %s "$org" | sed "s/'/''/g")' order by c.id desc limit 40"); do
		i=$((i + 1))
		step case assign "$id" demo.caseworker --as demo.supervisor
		step case stage "$id" assessment --as demo.caseworker
		case $((i % 4)) in
		0) ans="debt=recruiter stigma=family_rejection papers=missing_both trafficker_nearby=yes income=none" ;;
		1) ans="debt=moneylender stigma=community papers=missing_identity income=irregular dependants=three_more" ;;
		2) ans="debt=none stigma=none papers=complete income=stable health=good" ;;
		*) ans="debt=family stigma=community papers=missing_registration income=irregular health=needs_care" ;;
		esac
		step assess add "$id" $ans --date 2025-0$((i % 9 + 1))-15 --as demo.caseworker
		[ $((i % 3)) -eq 0 ] && step assess add "$id" debt=none stigma=none papers=complete income=irregular --as demo.caseworker
		step case stage "$id" case_plan --as demo.caseworker
		step followup plan "$id" --from 2025-0$((i % 9 + 1))-01 --as demo.caseworker
		case $((i % 5)) in
		0) step followup record "$id" --mode home_visit --outcome reached_stable --date 2025-10-02 --notes "Đã về nhà, đi làm lại." --as demo.caseworker ;;
		1) step followup record "$id" --mode phone --outcome not_reached --date 2025-11-12 --as demo.caseworker ;;
		2) step followup record "$id" --mode office --outcome reached_needs_support --date 2025-09-20 --notes "Cần hỗ trợ học nghề." --as demo.caseworker ;;
		*) : ;;
		esac
		# a case plan waiting for the supervisor's approval
		[ "$i" -le 3 ] && step case stage "$id" services --comment "Kế hoạch hỗ trợ: nhà tạm lánh, học nghề." --as demo.caseworker
	done
	echo "== hotline contacts"
	step contact add --channel call --caller-type family --reason missing_person --province "Nghệ An" --notes "Người nhà báo con gái mất liên lạc sau khi sang biên giới." --as demo.caseworker
	step contact add --channel chat --caller-type victim --reason request_help --province "Lào Cai" --as demo.caseworker
	step contact add --channel walk_in --caller-type community --reason report_tip --province "Hà Nội" --as demo.caseworker
	step contact add --channel message --caller-type victim --reason labour_complaint --as demo.caseworker
	echo "== referrals between $org and $org2 (through the API)"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	ctip serve --listen "127.0.0.1:$port" >var/demo-seed.log 2>&1 &
	srv=$!
	python3 - "$port" "$org" "$org2" "$tmp" "$DB" <<'EOF'
import http.client, json, sqlite3, sys, time
port, org, org2, tmp, db = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def session(user, pw):
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
            c.request("POST", "/api/login", json.dumps({"username": user, "password": pw}),
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            body = json.loads(r.read())
            return r.getheader("Set-Cookie").split(";")[0], body["csrf_token"]
        except (ConnectionError, OSError):
            time.sleep(0.1)
    raise SystemExit("the demo server did not start")
def call(s, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    c.request(method, path, json.dumps(body) if body is not None else None,
              {"Content-Type": "application/json", "Cookie": s[0], "X-CSRF-Token": s[1]})
    r = c.getresponse()
    return r.status, r.read()
d = sqlite3.connect(db)
ids = lambda o: [r[0] for r in d.execute("select c.id from cases c join organisation o on o.id = c.org_id where o.name = ? order by c.id desc limit 8 offset 40", (o,))]
mine, theirs = ids(org), ids(org2)
cw = session("demo.caseworker", tmp + "demo.caseworker")
partner = session("partner.caseworker", tmp + "-b1")
notes = ["Cần chỗ ở an toàn và hỗ trợ pháp lý.", "Đề nghị hỗ trợ học nghề tại tỉnh nhà.", "Cần khám sức khỏe tâm lý."]
for k, cid in enumerate(mine[:3]):
    call(cw, "POST", "/api/referrals", {"case_id": cid, "to_org": org2, "reason": "AdditionalServicesRequired", "note": notes[k]})
for k, cid in enumerate(theirs[:3]):
    st, b = call(partner, "POST", "/api/referrals", {"case_id": cid, "to_org": org, "reason": "AdditionalServicesRequired", "note": notes[k]})
    if k == 0 and st == 201:  # one answered, the others still new in the demo inbox
        rid = json.loads(b)["id"]
        call(cw, "PATCH", f"/api/referrals/{rid}", {"status": "Accepted"})
EOF
	kill "$srv"
	wait "$srv" 2>/dev/null || true
	echo "== the demo database is ready; it is kept between runs (a new one: make run RESET=1)"
else
	echo "== $DB kept from the last run, with what was entered in it (a new one: make run RESET=1)"
	org=$(q "select o.name from account a join organisation o on o.id = a.org_id where a.username = 'demo.caseworker'")
	org2=$(q "select o.name from account a join organisation o on o.id = a.org_id where a.username = 'partner.caseworker'")
	ctip init >/dev/null # migrations of a newer ctip, if any
fi

# new passwords for the demo accounts on every run, shown here only
echo
echo "== ctip serve: http://$LISTEN/"
echo "   Demo accounts (passwords for this run only):"
for a in "admin accounts: create, disable, unlock, reset passwords" \
	"demo.caseworker cases of ORG: home, cases, follow-ups, contacts, referrals" \
	"demo.supervisor approvals, linkage review, audit of ORG's records, statistics" \
	"demo.analyst statistics, the dark figure, releases" \
	"demo.auditor the audit log and the release ledger" \
	"partner.caseworker cases of ORG2 (referrals to and from ORG)"; do
	user=${a%% *}
	p=$(pw)
	echo "$p" | ctip user passwd "$user" >/dev/null
	printf '   %-20s %s   %s\n' "$user" "$p" "$(echo "${a#* }" | ORG="$org" ORG2="$org2" awk '{ gsub(/ORG2/, ENVIRON["ORG2"]); gsub(/ORG/, ENVIRON["ORG"]); print }')"
done
echo "   More accounts: on the admin's Accounts page, or build/ctip --db $DB user add NAME --org ORG --role ROLE"
echo
exec $CTIP --db "$DB" serve --listen "$LISTEN"
