#!/bin/sh
# A throwaway PostgreSQL cluster for the tests and benchmarks: initdb'd under build/pg/, served
# by pg_ctl on a Unix socket in build/pg/run (listen_addresses='': no TCP port, no system
# service). Root cannot run PostgreSQL, so as root the cluster belongs to the postgres user and
# every server command runs through runuser; the invoking user gets a superuser role of its
# name, so the URL needs no user name.
#
#   sh scripts/pg-cluster.sh start [DB]   init when missing, start, create DB (ctip); print its URL
#   sh scripts/pg-cluster.sh stop         stop it (fast shutdown); nothing when not running
#   sh scripts/pg-cluster.sh url [DB]     the URL of DB: postgresql:///DB?host=/abs/build/pg/run
#   sh scripts/pg-cluster.sh status       exit 0 when running
#   sh scripts/pg-cluster.sh restart      pg_ctl restart (fast): the fault tests' server restart
#   sh scripts/pg-cluster.sh pid          the postmaster's process id (the fault tests kill it)
#   sh scripts/pg-cluster.sh destroy      stop and remove build/pg
#
# PG_CLUSTER_DIR overrides build/pg (an absolute path). As root, when the postgres user cannot
# reach build/ (a clone under /root), the cluster is made in /tmp/ctip-pg-CKSUM instead.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIR=${PG_CLUSTER_DIR:-$ROOT/build/pg}
# As root, the postgres user must reach the cluster's directory; a clone under /root (mode
# 0700) is out of its reach, so the cluster then lives in /tmp under a name of this clone, and
# build/pg.dir says where (stop, url and status read it).
if [ -z "${PG_CLUSTER_DIR:-}" ] && [ -f "$ROOT/build/pg.dir" ]; then
	DIR=$(cat "$ROOT/build/pg.dir")
fi
DATA=$DIR/data
RUN=$DIR/run
LOG=$DIR/log/postgresql.log
CMD=${1:-}
DB=${2:-ctip}

die() {
	echo "pg-cluster: $*" >&2
	exit 1
}

bindir() {
	if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
		pg_config --bindir
		return
	fi
	# libpq-dev's pg_config may point elsewhere: take the newest server installed
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/initdb" ] ||
		die "PostgreSQL's server is not installed (initdb not found); run: sh scripts/install-deps.sh"
	echo "$d"
}

# as the cluster's owner: postgres when we are root, else ourselves
if [ "$(id -u)" -eq 0 ]; then
	OWNER=postgres
	id postgres >/dev/null 2>&1 || die "no postgres user; install the postgresql package (sh scripts/install-deps.sh)"
	as_owner() { (cd / && runuser -u postgres -- "$@"); } # from /: our directory may be closed to it
else
	OWNER=$(id -un)
	as_owner() { "$@"; }
fi
ME=$(id -un)

case "$DB" in
*[!a-z0-9_]* | "") die "$DB: a database name is lower-case letters, digits and _" ;;
esac

url() { echo "postgresql:///$1?host=$RUN"; }

running() {
	[ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

# psql as the cluster's superuser, on the maintenance database
su_psql() { as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -U "$OWNER" -d postgres "$@"; }

start() {
	mkdir -p "$DIR"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$OWNER" "$DIR"
		if ! runuser -u postgres -- test -w "$DIR" && [ -z "${PG_CLUSTER_DIR:-}" ]; then
			# a parent is not searchable by others: a directory of this clone's in /tmp
			rmdir "$DIR" 2>/dev/null || true
			DIR=/tmp/ctip-pg-$(echo "$ROOT" | cksum | cut -d' ' -f1)
			DATA=$DIR/data
			RUN=$DIR/run
			LOG=$DIR/log/postgresql.log
			mkdir -p "$DIR"
			chmod 755 "$DIR"
			chown "$OWNER" "$DIR"
			mkdir -p "$ROOT/build"
			echo "$DIR" >"$ROOT/build/pg.dir"
		fi
		runuser -u postgres -- test -w "$DIR" ||
			die "$DIR: the postgres user cannot write here (a parent directory is not searchable by others?); set PG_CLUSTER_DIR to a directory it can reach, e.g. /tmp/ctip-pg"
	fi
	as_owner mkdir -p "$DIR/log" "$RUN"
	as_owner chmod 700 "$RUN"
	# a Unix socket path is limited to 107 bytes
	[ ${#RUN} -le 90 ] || die "$RUN: path too long for a Unix socket; set PG_CLUSTER_DIR to a shorter path"
	if [ ! -f "$DATA/PG_VERSION" ]; then
		as_owner "$BIN/initdb" -D "$DATA" -U "$OWNER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
			>"$DIR/log/initdb.log" 2>&1 || { cat "$DIR/log/initdb.log" >&2; die "initdb failed"; }
		cat >>"$DATA/postgresql.conf" <<EOF
# scripts/pg-cluster.sh: a throwaway cluster on a Unix socket only
listen_addresses = ''
unix_socket_directories = '$RUN'
unix_socket_permissions = 0700
fsync = on
max_connections = 100
shared_buffers = 128MB
log_min_messages = warning
EOF
	fi
	if ! running; then
		# -t: the machine may be loaded; -w: return once it accepts connections
		as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 180 start >/dev/null ||
			{ tail -n 20 "$LOG" >&2; die "pg_ctl start failed (log: $LOG)"; }
	fi
	if [ "$ME" != "$OWNER" ]; then
		su_psql -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ME') THEN CREATE ROLE \"$ME\" LOGIN SUPERUSER; END IF; END\$\$"
	fi
	if [ "$(su_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
		su_psql -c "CREATE DATABASE \"$DB\" OWNER \"$ME\""
	fi
	url "$DB"
}

stop() {
	[ -f "$DATA/PG_VERSION" ] || return 0
	running || return 0
	as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 180 stop >/dev/null
}

case "$CMD" in
start)
	BIN=$(bindir)
	start
	;;
stop)
	BIN=$(bindir)
	stop
	;;
url) url "$DB" ;;
restart)
	BIN=$(bindir)
	running || die "not running"
	as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -m fast -w -t 180 restart >/dev/null ||
		{ tail -n 20 "$LOG" >&2; die "pg_ctl restart failed (log: $LOG)"; }
	;;
pid)
	[ -f "$DATA/postmaster.pid" ] || die "not running"
	head -n 1 "$DATA/postmaster.pid"
	;;
status)
	BIN=$(bindir)
	running
	;;
destroy)
	BIN=$(bindir)
	stop
	rm -rf "$DIR"
	rm -f "$ROOT/build/pg.dir"
	;;
*)
	echo "usage: sh scripts/pg-cluster.sh start|stop|restart|url|status|pid|destroy [DB]" >&2
	exit 2
	;;
esac
