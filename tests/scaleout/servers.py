"""Real servers for the scale-out test, started in a temp dir on loopback and
stopped afterwards: redis-server (with AOF, optionally TLS and a password) and
PostgreSQL (initdb + pg_ctl, as the `postgres` user when running as root)."""
import os
import shutil
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from loopback import free_port, wait_for  # noqa: E402,F401  (scaleout_test.py imports wait_for from here)


class RespError(Exception):
    pass


class Resp:
    """Just enough RESP2 to inspect the queue from the test, independent of the
    client under test (hiredis)."""

    def __init__(self, port, password=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        if password:
            self.call("AUTH", password)

    def close(self):
        self.sock.close()

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RespError(f"unexpected reply {line!r}")


def fields(entry):
    """[id, [k, v, ...]] -> (id, {k: v})"""
    eid, flat = entry
    return eid.decode(), {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


class Redis:
    def __init__(self, root, password=None, tls=None):
        self.dir = os.path.join(root, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.password = password
        self.tls = tls  # {"cert": ..., "key": ..., "ca": ...}
        self.proc = None

    def url(self, tls=False):
        auth = f":{self.password}@" if self.password else ""
        if tls:
            return f"rediss://{auth}127.0.0.1:{self.tls_port}"
        return f"redis://{auth}127.0.0.1:{self.port}"

    def start(self):
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
               "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
               "--logfile", os.path.join(self.dir, "redis.log"), "--protected-mode", "yes"]
        if self.password:
            cmd += ["--requirepass", self.password]
        if self.tls:
            cmd += ["--tls-port", str(self.tls_port), "--tls-cert-file", self.tls["cert"],
                    "--tls-key-file", self.tls["key"], "--tls-ca-cert-file", self.tls["ca"],
                    "--tls-auth-clients", "no"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._ready, 30, "redis-server to answer PING")

    def _ready(self):
        try:
            c = Resp(self.port, self.password)
            try:
                return c.call("PING") == "PONG"
            finally:
                c.close()
        except (OSError, RespError):
            return False

    def kill(self):
        """SIGKILL: with appendfsync always, nothing acknowledged is lost."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self):
        return Resp(self.port, self.password)

    def log(self):
        try:
            with open(os.path.join(self.dir, "redis.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def make_tls_files(root):
    """A private CA and a server certificate for 127.0.0.1, by the openssl CLI."""
    d = os.path.join(root, "tls-certs")
    os.makedirs(d, exist_ok=True)

    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Sluice test CA",
        "-keyout", "ca.key", "-out", "ca.crt")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
        "-out", "server.csr")
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "san.ext", "-out", "server.crt")
    return {"ca": os.path.join(d, "ca.crt"), "cert": os.path.join(d, "server.crt"),
            "key": os.path.join(d, "server.key")}


class Postgres:
    def __init__(self, root):
        self.bin = next((p for p in sorted(
            (os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")),
            reverse=True) if os.path.exists(os.path.join(p, "pg_ctl"))), None) \
            if os.path.isdir("/usr/lib/postgresql") else None
        self.dir = os.path.join(root, "pg")
        self.port = free_port()
        self.started = False
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *cmd):
        return subprocess.run([*self.as_user, *cmd], capture_output=True, text=True)

    def start(self):
        if not self.bin:
            raise RuntimeError("PostgreSQL server binaries not found (Debian package postgresql)")
        os.makedirs(self.dir)
        if self.as_user:
            os.chmod(os.path.dirname(self.dir), 0o755)
            shutil.chown(self.dir, "postgres")
        r = self.run(f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-U", "sluice", "-A", "trust", "--no-sync",
                     "-E", "UTF8", "--locale=C")
        if r.returncode != 0:
            raise RuntimeError("initdb: " + r.stdout + r.stderr)
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c max_connections=40"
        r = self.run(f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-t", "60",
                     "-o", opts, "start")
        if r.returncode != 0:
            raise RuntimeError("pg_ctl start: " + r.stdout + r.stderr)
        self.started = True

    def create_database(self, name):
        r = self.run(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "sluice", name)
        if r.returncode != 0:
            raise RuntimeError("createdb: " + r.stdout + r.stderr)
        return f"postgresql://sluice@127.0.0.1:{self.port}/{name}"

    def stop(self):
        if self.started:
            self.run(f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m", "immediate", "-w", "-t", "30", "stop")
            self.started = False
