#!/bin/sh
# A hot standby of the cluster of scripts/pg-cluster.sh, on this machine (docs/DEPLOYMENT.md):
# pg_basebackup over the primary's Unix socket (pg_hba: `local replication`), streaming
# replication, and synchronous commit: the primary names the standby in
# synchronous_standby_names and commits with synchronous_commit = remote_apply, so a commit is
# acknowledged only once the standby has it on disk and applied. Promoting the standby after the
# primary dies therefore loses no acknowledged write, and a read on the standby after a write
# was acknowledged sees it.
#
#   sh scripts/pg-standby.sh start [DB]   make the standby when missing, start it, make the
#                                         primary wait for it; print the standby's URL of DB
#   sh scripts/pg-standby.sh promote [DB] make the standby a primary (after the old one died);
#                                         print its URL
#   sh scripts/pg-standby.sh stop         stop the standby; the primary (if up) stops waiting
#   sh scripts/pg-standby.sh url [DB]     the standby's URL of DB
#   sh scripts/pg-standby.sh status       exit 0 when the standby runs
#   sh scripts/pg-standby.sh destroy      stop it and remove its directory
#
# The standby lives beside the primary's directory (build/pg-standby, or PG_CLUSTER_DIR +
# "-standby", or PG_STANDBY_DIR), with a socket directory of its own and no TCP port.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PDIR=${PG_CLUSTER_DIR:-$ROOT/build/pg}
if [ -z "${PG_CLUSTER_DIR:-}" ] && [ -f "$ROOT/build/pg.dir" ]; then
	PDIR=$(cat "$ROOT/build/pg.dir")
fi
PRUN=$PDIR/run
DIR=${PG_STANDBY_DIR:-$PDIR-standby}
DATA=$DIR/data
RUN=$DIR/run
LOG=$DIR/log/postgresql.log
CMD=${1:-}
DB=${2:-ctip}
NAME=ctip_standby

die() {
	echo "pg-standby: $*" >&2
	exit 1
}

bindir() {
	if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
		pg_config --bindir
		return
	fi
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/pg_basebackup" ] ||
		die "PostgreSQL's server is not installed; run: sh scripts/install-deps.sh"
	echo "$d"
}

if [ "$(id -u)" -eq 0 ]; then
	OWNER=postgres
	as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
	OWNER=$(id -un)
	as_owner() { "$@"; }
fi

case "$DB" in
*[!a-z0-9_]* | "") die "$DB: a database name is lower-case letters, digits and _" ;;
esac

url() { echo "postgresql:///$1?host=$RUN"; }
running() { [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
primary_up() { [ -f "$PDIR/data/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$PDIR/data" status >/dev/null 2>&1; }
# psql as the cluster's superuser on the maintenance database of the primary (p) or standby (s)
psql_on() {
	h=$PRUN
	[ "$1" = s ] && h=$RUN
	shift
	as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$h" -U "$OWNER" -d postgres "$@"
}

start() {
	primary_up || die "the primary is not running: start it with sh scripts/pg-cluster.sh start"
	[ "$(psql_on p -tAc 'SELECT pg_is_in_recovery()')" = f ] ||
		die "the cluster in $PDIR is itself a standby"
	[ ${#RUN} -le 90 ] || die "$RUN: path too long for a Unix socket; set PG_STANDBY_DIR"
	mkdir -p "$DIR"
	[ "$(id -u)" -eq 0 ] && chown "$OWNER" "$DIR" && chmod 755 "$DIR"
	as_owner mkdir -p "$DIR/log" "$RUN"
	as_owner chmod 700 "$RUN"
	if [ ! -f "$DATA/PG_VERSION" ]; then
		# the primary lets local replication connections in (initdb's pg_hba) and has
		# wal_level = replica and wal senders by default; a slot keeps the WAL the standby
		# still needs while it is down
		psql_on p -c "SELECT pg_create_physical_replication_slot('$NAME') WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$NAME')" >/dev/null
		as_owner "$BIN/pg_basebackup" -h "$PRUN" -U "$OWNER" -D "$DATA" -X stream -c fast \
			-S "$NAME" -R -d "host=$PRUN user=$OWNER application_name=$NAME" \
			>"$DIR/log/basebackup.log" 2>&1 ||
			{ cat "$DIR/log/basebackup.log" >&2; die "pg_basebackup failed"; }
		cat >>"$DATA/postgresql.conf" <<EOF
# scripts/pg-standby.sh: the standby, on a Unix socket of its own
listen_addresses = ''
unix_socket_directories = '$RUN'
hot_standby = on
EOF
		# last wins: its own connection to the primary by name, and no standby of its own
		# to wait for once promoted
		cat >>"$DATA/postgresql.auto.conf" <<EOF
primary_conninfo = 'host=$PRUN user=$OWNER application_name=$NAME'
primary_slot_name = '$NAME'
synchronous_standby_names = ''
synchronous_commit = 'on'
EOF
	fi
	if ! running; then
		as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 180 start >/dev/null ||
			{ tail -n 20 "$LOG" >&2; die "pg_ctl start of the standby failed (log: $LOG)"; }
	fi
	# streaming before the primary waits for it (else its commits would hang meanwhile)
	i=0
	until [ "$(psql_on p -tAc "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$NAME' AND state = 'streaming'")" = 1 ]; do
		i=$((i + 1))
		[ $i -le 600 ] || die "the standby does not stream from the primary (log: $LOG)"
		sleep 0.2
	done
	psql_on p -c "ALTER SYSTEM SET synchronous_standby_names = '$NAME'" \
		-c "ALTER SYSTEM SET synchronous_commit = 'remote_apply'" -c "SELECT pg_reload_conf()" >/dev/null
	# the reload is asynchronous: wait until the primary counts the standby as synchronous
	i=0
	until [ "$(psql_on p -tAc "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$NAME'")" = sync ]; do
		i=$((i + 1))
		[ $i -le 300 ] || die "the primary does not treat the standby as synchronous"
		sleep 0.1
	done
	url "$DB"
}

promote() {
	running || die "the standby is not running"
	if [ "$(psql_on s -tAc 'SELECT pg_is_in_recovery()')" = t ]; then
		as_owner "$BIN/pg_ctl" -D "$DATA" -w -t 180 promote >/dev/null ||
			die "pg_ctl promote failed (log: $LOG)"
	fi
	url "$DB"
}

stop() {
	# the primary must not wait for a standby that is gone
	if primary_up && [ "$(psql_on p -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; then
		psql_on p -c "ALTER SYSTEM RESET synchronous_standby_names" \
			-c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" \
			-c "SELECT pg_drop_replication_slot('$NAME') FROM pg_replication_slots WHERE slot_name = '$NAME' AND NOT active" >/dev/null 2>&1 || true
	fi
	[ -f "$DATA/PG_VERSION" ] || return 0
	running || return 0
	as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 180 stop >/dev/null
}

case "$CMD" in
start)
	BIN=$(bindir)
	start
	;;
promote)
	BIN=$(bindir)
	promote
	;;
stop)
	BIN=$(bindir)
	stop
	;;
url) url "$DB" ;;
status)
	BIN=$(bindir)
	running
	;;
destroy)
	BIN=$(bindir)
	stop
	rm -rf "$DIR"
	;;
*)
	echo "usage: sh scripts/pg-standby.sh start|promote|stop|url|status|destroy [DB]" >&2
	exit 2
	;;
esac
