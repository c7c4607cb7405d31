#!/usr/bin/env python3
"""bench_process.py - whole processes, as a user starts them.

1. One headless `trigger` (start, key lookup, History open, the send, its
   two History commits, exit) against one `curl` process sending the same
   request to the same sandbox, already running. Alternating, median.
2. The console's first full frame with a 100,000-entry History: with a key
   configured, and with none (the console then starts the local sandbox
   first). The peer is `less` showing the first screen of the same 100,000
   rows as text: a terminal program's first screen of that much history.
   Each is timed from fork to the frame's last line on the terminal (a pty
   of 120x35); peak memory from the kernel's accounting of the child.

usage: bench_process.py BUILD_DIR WORK_DIR
Prints "row<TAB>name<TAB>ours<TAB>peer<TAB>ratio" and "note<TAB>text" lines,
as the other benchmarks do.
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import time
import uuid

KEY = "sk_sandbox_local"
ROWS, COLS = 35, 120
REPS_TRIGGER = int(os.environ.get("NC_BENCH_PROCESS_REPS", "31"))
REPS_FRAME = int(os.environ.get("NC_BENCH_FRAME_REPS", "15"))
HISTORY_ROWS = 100_000


def row(name, ours, peer, ratio):
    print(f"row\t{name}\t{ours}\t{peer}\t{ratio}")


def note(text):
    print(f"note\t{text}")


def ratio(ours, peer):
    r = peer / ours
    return f"{r:.2f}×" if r < 10 else f"{r:.1f}×"


def start_sandbox(build, work):
    port_file = os.path.join(work, "port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    sb = subprocess.Popen([os.path.join(build, "novu-sandbox"), "--port", "0",
                           "--port-file", port_file, "--quiet", "--rate-limit", "0"],
                          stdout=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
            break
        time.sleep(0.025)
    with open(port_file) as f:
        return sb, "http://127.0.0.1:" + f.read().strip()


def env_for(work, state, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NOVU_") and k not in ("XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    env.update(HOME=work, NOVU_CONSOLE_STATE_DIR=state,
               NOVU_CONSOLE_CONFIG_DIR=os.path.join(work, "config"), TERM="xterm-256color")
    env.update(extra)
    return env


# ---- 1. one trigger, whole process ----

def bench_trigger(build, work):
    sb, url = start_sandbox(build, work)
    try:
        state = os.path.join(work, "state-trigger")
        os.makedirs(state, exist_ok=True)
        payload = '{"order":{"id":"A-1","carrier":"UPS"}}'
        console = [os.path.join(build, "novu-console"), "--api-url", url, "trigger",
                   "order-shipped", "--to", "user-1", "--payload", payload]
        env = env_for(work, state, NOVU_SECRET_KEY=KEY)
        header = os.path.join(work, "auth-header")
        with open(header, "w") as f:
            f.write(f"Authorization: ApiKey {KEY}\n")
        os.chmod(header, 0o600)
        body = os.path.join(work, "trigger.json")
        curl_base = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                     "-H", "@" + header, "-H", "Content-Type: application/json",
                     "-H", "Accept: application/json"]

        def ours():
            t0 = time.perf_counter()
            p = subprocess.run(console, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            t = time.perf_counter() - t0
            assert p.returncode == 0 and b"processed" in p.stdout, p.stderr
            return t

        def peer():
            # Each request its own transactionId and key, as ours makes.
            txid = str(uuid.uuid4())
            with open(body, "w") as f:
                f.write('{"name":"order-shipped","to":"user-1","payload":%s,'
                        '"transactionId":"%s"}' % (payload, txid))
            cmd = curl_base + ["-H", "Idempotency-Key: bench-" + txid,
                               "--data-binary", "@" + body, url + "/v1/events/trigger"]
            t0 = time.perf_counter()
            p = subprocess.run(cmd, stdout=subprocess.PIPE)
            t = time.perf_counter() - t0
            assert p.stdout == b"201", p.stdout
            return t

        ours(), peer()   # warm the page cache
        a, b = [], []
        for _ in range(REPS_TRIGGER):
            a.append(ours())
            b.append(peer())
        ma, mb = statistics.median(a), statistics.median(b)
        row("One trigger, whole process (start, key, History open, send, two commits)",
            f"{ma * 1000:.1f} ms", f"{mb * 1000:.1f} ms (one curl process, same request)",
            ratio(ma, mb))
        note(f"Trigger: median of {REPS_TRIGGER} runs each, alternating, against one sandbox "
             f"on 127.0.0.1 that was already running; ours min {min(a) * 1000:.1f} / max "
             f"{max(a) * 1000:.1f} ms, curl min {min(b) * 1000:.1f} / max "
             f"{max(b) * 1000:.1f} ms. Ours is `novu-console trigger order-shipped --to "
             f"user-1 --payload ...` with the key in NOVU_SECRET_KEY: it validates, claims "
             f"the send in History (one commit), sends, records the answer (a second "
             f"commit); curl sends a body written beforehand, with the key read from a "
             f"header file, and records nothing.")
    finally:
        sb.terminate()
        sb.wait()


# ---- 2. first full frame ----

def make_history(build, work, state):
    """A History of HISTORY_ROWS triggers, made once, and the same rows as
    text for the peer."""
    db = os.path.join(state, "history.db")
    text = os.path.join(work, "history.txt")
    if os.path.exists(db) and os.path.exists(text):
        return text
    os.makedirs(state, exist_ok=True)
    # The console makes the file with its schema.
    subprocess.run([os.path.join(build, "novu-console"), "history", "--limit", "1"],
                   env=env_for(work, state), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    con = sqlite3.connect(db)
    t0 = 1_796_220_300_000
    rows = [(t0 + i * 1000, "production", "trigger", "order-shipped", f"user-{i % 500:05d}",
             str(uuid.UUID(int=i + 1)), 201, "processed",
             '{"name":"order-shipped","to":"user-%05d"}' % (i % 500))
            for i in range(HISTORY_ROWS)]
    con.executemany("INSERT INTO entries (time_ms, profile, kind, workflow, recipients,"
                    " transaction_id, http_status, response_status, request_json)"
                    " VALUES (?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()
    with open(text, "w") as f:
        for n, r in enumerate(reversed(rows), 1):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r[0] / 1000))
            f.write(f"{n:07d} {when}  {r[2]:<8} {r[3]:<18} {r[4]:<12} {r[7]:<10} {r[5]}\n")
    return text


def frame_time(argv, env, marker, quit_key=None):
    """Seconds from fork to `marker` on the terminal, and peak RSS (KiB):
    the command runs under /usr/bin/time, whose child is a fresh process
    (a child forked from this Python would inherit Python's peak)."""
    rss_file = os.path.join(env["HOME"], "rss")
    if os.path.exists(rss_file):
        os.unlink(rss_file)
    argv = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file] + argv
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.execvpe(argv[0], argv, env)
    seen, t = b"", None
    deadline = t0 + 10
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            if t is not None:
                break
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        if t is None:
            seen += data
            if marker in seen:
                t = time.perf_counter() - t0
                if quit_key:
                    os.write(fd, quit_key)
    os.waitpid(pid, 0)
    os.close(fd)
    if t is None:
        raise RuntimeError(f"{argv[6]}: no frame (saw {seen[-300:]!r})")
    with open(rss_file) as f:
        return t, int(f.read().split()[-1])


def bench_frame(build, work):
    state = os.path.join(work, "state-frame")
    text = make_history(build, work, state)
    console = [os.path.join(build, "novu-console"), "--max-frames", "1"]
    with_key = env_for(work, state, NOVU_SECRET_KEY="sk_test_bench",
                       NOVU_API_URL="http://127.0.0.1:9")
    keyless = env_for(work, state, NOVU_SANDBOX_BIN=os.path.join(build, "novu-sandbox"))
    less_env = env_for(work, state, LESS="", LESSHISTFILE="-")
    marker_console = b"Help"           # the key bar, the frame's last line
    marker_less = b"%07d " % (ROWS - 1)  # the last row of the first screen
    runs = {"key": [], "sandbox": [], "less": []}
    rss = {"key": [], "sandbox": [], "less": []}
    for _ in range(2):   # warm-up
        frame_time(console, with_key, marker_console)
        frame_time(["less", text], less_env, marker_less, b"q")
    for _ in range(REPS_FRAME):
        for name, argv, env, marker, quit_key in (
                ("key", console, with_key, marker_console, None),
                ("less", ["less", text], less_env, marker_less, b"q"),
                ("sandbox", console, keyless, marker_console, None)):
            t, m = frame_time(argv, env, marker, quit_key)
            runs[name].append(t)
            rss[name].append(m)
    med = {k: statistics.median(v) for k, v in runs.items()}
    peer = f"{med['less'] * 1000:.1f} ms (less, first screen of the same rows as text)"
    row("Console start, 100,000-entry History, key configured: first full frame",
        f"{med['key'] * 1000:.1f} ms", peer, ratio(med["key"], med["less"]))
    row("Console start, 100,000-entry History, no key (starts the sandbox): first full frame",
        f"{med['sandbox'] * 1000:.1f} ms", peer, ratio(med["sandbox"], med["less"]))
    note(f"Console start: from fork to the frame's last line (the key bar; for less the "
         f"{ROWS - 1}th row) on a {COLS}x{ROWS} pty, median of {REPS_FRAME} runs of each, "
         f"alternating, after two warm-up runs. With a key the API is on a port "
         f"nobody listens on, so no list arrives before the frame; with no key the console "
         f"starts novu-sandbox on a socket it made itself and draws without waiting for it.")
    note(f"Console start: peak memory (GNU time's %M) median {statistics.median(rss['key']) / 1024:.1f} "
         f"MiB with a key, {statistics.median(rss['sandbox']) / 1024:.1f} MiB with the sandbox "
         f"(the larger of the console and the sandbox it started); less "
         f"{statistics.median(rss['less']) / 1024:.1f} MiB.")


def main():
    build, work = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(work, "config"), exist_ok=True)
    for tool in ("less", "/usr/bin/time"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed for the start figures (apt-get install less time)")
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    bench_trigger(build, work)
    bench_frame(build, work)


if __name__ == "__main__":
    main()
