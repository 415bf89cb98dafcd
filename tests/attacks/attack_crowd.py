"""The crowd of connections (docs/SECURITY.md, threat model): one client address opens hundreds
of connections that trickle a header line every few seconds or say nothing at all. Other users,
from other addresses, must keep being answered quickly all along (the server bounds connections
per address and in total, gives a request's headers and body a deadline, and drops idle
connections). Bounded: about 1,000 sockets and 35 s in all.

What it shows, on a server with its default limits:
- from 127.0.0.1, 500 trickling and 500 silent connections; meanwhile a user at 127.0.0.2 makes
  requests one after the other: the slowest of them (p99) stays under a generous bound;
- the attacker's own address is refused beyond its share (--max-conns-per-ip);
then, on a server with short deadlines (--timeout 2 --request-timeout 3):
- a connection trickling a byte a second is cut at the request deadline, and a silent one at
  the idle timeout;
- a crowd spread over 40 addresses that fills every slot (--max-conns) is drained by the
  deadline: users are answered again within seconds, not after minutes."""
import os
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))

reg = h.Registry(orgs={"A": h.ORGS["A"]}, roles=["caseworker"])


def opener(port, src, n, trickle, stop, socks):
    """Opens n connections from src; trickling ones send a request line, then a header line
    every 2 s; silent ones send nothing. Reopens what the server closes, until stop."""
    def one():
        s = socket.socket()
        s.settimeout(2)
        try:
            s.bind((src, 0))
            s.connect(("127.0.0.1", port))
            if trickle:
                s.sendall(b"GET /api/me HTTP/1.1\r\nHost: x\r\n")
            return s
        except OSError:
            s.close()
            return None
    live = []
    for _ in range(n):
        if stop.is_set():
            break
        s = one()
        if s:
            live.append(s)
    socks.extend(live)
    while not stop.wait(2):
        for s in list(live):
            try:
                if trickle:
                    s.sendall(b"X-Slow: a\r\n")
                else:
                    s.setblocking(False)
                    if s.recv(1) == b"":
                        raise OSError
            except BlockingIOError:
                pass
            except OSError:
                live.remove(s)
                s.close()
                r = one()  # the attacker comes back at once
                if r:
                    live.append(r)
    for s in live:
        s.close()


def user_latencies(c, seconds):
    """A user's requests one after the other for `seconds`: the latencies (a timeout counts 10 s)."""
    out = []
    end = time.time() + seconds
    while time.time() < end:
        t = time.time()
        try:
            st, _ = c.get("/api/me", timeout=10)
            out.append(time.time() - t if st == 200 else 10.0)
        except OSError:
            out.append(10.0)
        time.sleep(0.05)
    return out


def p99(v):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * 0.99))] if v else 99.0


# ---- one address, a thousand connections, default limits ----------------------------------
port = reg.serve()
user = reg.client("a.caseworker", source="127.0.0.2")
stop = threading.Event()
socks = []
ts = [threading.Thread(target=opener, args=(port, "127.0.0.1", 500, t, stop, socks))
      for t in (True, False)]
for t in ts:
    t.start()
time.sleep(3)
lat = user_latencies(user, 10)
held = sum(1 for s in socks if s.fileno() >= 0)
stop.set()
for t in ts:
    t.join()
h.report("1,000 slow and idle connections from one address: another address is answered "
         f"(p99 {p99(lat):.2f} s over {len(lat)} requests; bound 3 s)",
         len(lat) >= 5 and p99(lat) < 3.0, sorted(lat)[-5:])
fresh = h.Client(port)
try:
    fresh.get("/api/me", timeout=5)
    refused = False
except OSError:
    refused = True
h.report("... and the attacking address itself gets a connection again once it lets go",
         not refused)
h.report("the server stops cleanly after the crowd (exit 0)", reg.stop() == 0)

# ---- deadlines, and a crowd over many addresses ------------------------------------------
port = reg.serve("--timeout", "2", "--request-timeout", "3", "--max-conns", "200",
                 "--max-conns-per-ip", "8")


def cut_after(trickle):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(1.2)
    t0 = time.time()
    if trickle:
        s.sendall(b"GET /api/me HTTP/1.1\r\n")
    while time.time() - t0 < 12:
        try:
            if trickle:
                s.sendall(b"X")
            if s.recv(1024) == b"":
                break
        except socket.timeout:
            continue
        except OSError:
            break
    s.close()
    return time.time() - t0


d = cut_after(True)
h.report(f"a request trickling a byte a second is cut at the request deadline ({d:.1f} s, "
         "deadline 3 s)", d < 7, d)
d = cut_after(False)
h.report(f"a silent connection is dropped at the idle timeout ({d:.1f} s, timeout 2 s)", d < 6, d)
stop = threading.Event()
socks = []
ts = [threading.Thread(target=opener, args=(port, f"127.0.1.{i}", 8, True, stop, socks))
      for i in range(1, 41)]
for t in ts:
    t.start()
time.sleep(2)
user = reg.client("a.caseworker", source="127.0.0.2")
lat = user_latencies(user, 8)
stop.set()
for t in ts:
    t.join()
h.report(f"320 trickling connections from 40 addresses, 200 slots: a user is still answered "
         f"(worst {max(lat):.1f} s over {len(lat)} requests; bound 8 s)",
         len(lat) >= 3 and max(lat) < 8.0, sorted(lat)[-5:])
h.report("the server stops cleanly (exit 0)", reg.stop() == 0)
h.finish()
