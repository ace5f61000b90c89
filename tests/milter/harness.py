"""Everything tests/milter/milter_test.py starts and stops: a private Postfix
instance in a temporary directory, an SMTP sink that Postfix relays to, and
sluice-milter itself. Nothing here touches the system's own Postfix: every
command gets `-c <config_directory>`."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

from aiosmtpd.controller import Controller

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from loopback import free_port, wait_for  # noqa: E402,F401  (milter_test.py imports them from here)


class Sink:
    """The SMTP server Postfix relays accepted mail to; keeps every message."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink.lock:
                    sink.messages.append(envelope.original_content or envelope.content)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def find(self, marker: bytes):
        with self.lock:
            return [m for m in self.messages if marker in m]


MASTER_CF = """\
{smtpd_addr} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix:
    """A private Postfix: its own config, queue and data directories, smtpd on
    a loopback port, relaying everything to `relay_port`."""

    def __init__(self, root, relay_port, milter_port, milter=True):
        """milter_port: the milter's loopback TCP port, or its address as
        Postfix spells it ("unix:/path")."""
        self.root = root
        self.config = os.path.join(root, "etc")
        self.queue = os.path.join(root, "queue")
        self.data = os.path.join(root, "data")
        self.maillog = os.path.join(root, "maillog")
        self.port = free_port()
        os.makedirs(self.config)
        # Postfix's daemons read main.cf as the postfix user.
        os.chmod(root, 0o755)
        os.chmod(self.config, 0o755)
        milter_lines = ""
        if milter:
            address = milter_port if isinstance(milter_port, str) else f"inet:127.0.0.1:{milter_port}"
            milter_lines = (f"smtpd_milters = {address}\n"
                            "milter_default_action = tempfail\n"
                            "milter_protocol = 6\n"
                            "milter_connect_timeout = 5s\n"
                            "milter_content_timeout = 60s\n")
        main_cf = f"""\
compatibility_level = 3.6
queue_directory = {self.queue}
data_directory = {self.data}
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = {self.maillog}
maillog_file_prefixes = {root}
syslog_name = postfix-sluice-test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = sluice-test.invalid
mydomain = invalid
myorigin = sluice-test.invalid
mydestination =
mynetworks = 127.0.0.0/8
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
relayhost = [127.0.0.1]:{relay_port}
default_transport = smtp
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
message_size_limit = 52428800
smtp_dns_support_level = disabled
disable_dns_lookups = yes
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
{milter_lines}"""
        with open(os.path.join(self.config, "main.cf"), "w") as f:
            f.write(main_cf)
        with open(os.path.join(self.config, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(smtpd_addr=f"127.0.0.1:{self.port}"))

    def run(self, *args, check=True):
        r = subprocess.run(["postfix", "-c", self.config, *args], capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"postfix {' '.join(args)} failed:\n{r.stdout}{r.stderr}{self.log()[-2000:]}")
        return r

    def start(self):
        os.makedirs(self.queue, mode=0o755)
        self.run("check")  # creates the queue's subdirectories with their owners
        self.run("check")
        self.run("start")
        wait_for(self._listening, 30, "Postfix smtpd to listen")

    def _listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self):
        self.run("stop", check=False)
        try:
            wait_for(lambda: self.run("status", check=False).returncode != 0, 20, "Postfix master to exit")
        except AssertionError:
            self.run("abort", check=False)

    def queue_entries(self):
        """postqueue -j: one JSON object per queued message."""
        out = subprocess.run(["postqueue", "-c", self.config, "-j"], check=True,
                             capture_output=True, text=True, timeout=30).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def log(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


class Milter:
    """sluice-milter in the foreground; its stderr (JSON lines) kept in a file."""

    def __init__(self, binary, root, port, http_port, unix_socket=None):
        """unix_socket: listen there (and tell Postfix "unix:<path>") instead
        of on the loopback TCP port."""
        self.binary = binary
        self.root = root
        self.port = port
        self.unix_socket = unix_socket
        self.http_port = http_port
        self.config = os.path.join(root, "milter.toml")
        self.stderr_path = os.path.join(root, "milter.log")
        self.proc = None

    def write_config(self, text):
        if self.unix_socket:
            # As a site runs it: Postfix's smtpd (user postfix) reaches the socket through its group.
            access = 'socket_group = "postfix"\nsocket_mode = "0660"\n'
            text = text.replace("[milter]\n", "[milter]\n" + access, 1) if "[milter]\n" in text \
                else text + "\n[milter]\n" + access
        with open(self.config, "w") as f:
            f.write(f'[http]\nlisten = "127.0.0.1:{self.http_port}"\nmax_body_bytes = 4000000\n\n' + text)

    def start(self):
        self.stderr = open(self.stderr_path, "a")
        self.proc = subprocess.Popen([self.binary, "--config", self.config, "--listen", self.listen()],
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)
        wait_for(self.healthy, 30, "sluice-milter to answer /healthz")

    def listen(self):
        return f"unix:{self.unix_socket}" if self.unix_socket else f"inet:{self.port}@127.0.0.1"

    def postfix_address(self):
        """What Postfix's smtpd_milters names this milter by."""
        return f"unix:{self.unix_socket}" if self.unix_socket else self.port

    def healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"sluice-milter exited with {self.proc.returncode}:\n{self.log_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self):
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def log_lines(self):
        out = []
        for line in self.log_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def http(self, path, data=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data,
                                     method="POST" if data is not None else "GET",
                                     headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.read()

    def metrics(self):
        values = {}
        for line in self.http("/metrics").decode().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        return values


def have_postfix():
    return shutil.which("postfix") is not None and os.path.exists("/usr/lib/postfix/sbin/master")
