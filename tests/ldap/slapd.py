"""A real directory for the tests: Debian's slapd on a free 127.0.0.1 port,
with a throw-away cn=config and mdb database in a temporary folder, loaded
with the people and groups below.

slapd runs in the foreground (-d 0) as a child of the test process, which
asks the kernel to kill it if the test process dies (PR_SET_PDEATHSIG), so a
crashed or killed test run leaves no directory behind.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import ldap

SUFFIX = "dc=intranet,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-pw-only-for-the-test-slapd"
SERVICE_DN = f"cn=segbuilder,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "bind-Secret-9d41c7e2b85f"
EDITORS = f"cn=marketing-senders,{GROUPS}"
VIEWERS = f"cn=marketing-readers,{GROUPS}"
STAFF = f"cn=segbuilder-admins,{GROUPS}"
# The same two roles as groupOfUniqueNames and as posixGroup (memberUid).
UNIQUE = {"editors": f"cn=senders-unique,{GROUPS}", "viewers": f"cn=readers-unique,{GROUPS}"}
POSIX = {"editors": f"cn=senders-posix,{GROUPS}", "viewers": f"cn=readers-posix,{GROUPS}"}

# uid -> (given name, surname, password, groups)
PEOPLE_AND_GROUPS = {
    "alice": ("Alice", "Sender", "alice-pw-1", [EDITORS]),
    "victor": ("Victor", "Reader", "victor-pw-2", [VIEWERS]),
    "mila": ("Mila", "Mover", "mila-pw-3", [EDITORS]),
    "stella": ("Stella", "Admin", "stella-pw-4", [STAFF, VIEWERS]),
    "sam": ("Sam", "Stranger", "sam-pw-5", []),
}
SCHEMAS = ("core", "cosine", "nis", "inetorgperson")


def slapd_missing() -> str | None:
    """Why the directory tests cannot run here, or None."""
    for tool in ("slapd", "slapadd"):
        if not shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin"):
            return f"{tool} is not installed (apt-get install slapd ldap-utils)"
    return None


class Slapd:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.configure()

    def configure(self) -> None:
        (self.folder / "config").mkdir()
        (self.folder / "data").mkdir()
        (self.folder / "config.ldif").write_text(config_ldif(self.folder))
        (self.folder / "data.ldif").write_text(data_ldif())
        self.slapadd("-n", "0", "-l", str(self.folder / "config.ldif"))
        self.slapadd("-n", "1", "-l", str(self.folder / "data.ldif"))

    def slapadd(self, *args: str) -> None:
        subprocess.run([tool("slapadd"), "-F", str(self.folder / "config"), *args],
                       check=True, capture_output=True, timeout=60)

    def start(self) -> Slapd:
        log = (self.folder / "slapd.log").open("ab")
        self.process = subprocess.Popen(
            [tool("slapd"), "-h", f"{self.uri}/", "-F", str(self.folder / "config"), "-d", "0"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.wait_until_it_answers()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            if self.process.poll() is not None:
                log = (self.folder / "slapd.log").read_text(errors="replace")
                raise RuntimeError(f"slapd exited with {self.process.returncode}: {log}")
            try:
                self.admin().unbind_s()
                return
            except ldap.SERVER_DOWN:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def admin(self) -> ldap.ldapobject.LDAPObject:
        connection = ldap.initialize(self.uri)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def move(self, uid: str, *, from_group: str | None, to_group: str | None) -> None:
        """Takes a person out of one group and puts them in another."""
        member = f"uid={uid},{PEOPLE}".encode()
        connection = self.admin()
        try:
            if from_group:
                connection.modify_s(from_group, [(ldap.MOD_DELETE, "member", [member])])
            if to_group:
                connection.modify_s(to_group, [(ldap.MOD_ADD, "member", [member])])
        finally:
            connection.unbind_s()


def tool(name: str) -> str:
    return shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")


def die_with_parent() -> None:
    # Runs in the child between fork and exec: SIGKILL when the parent dies.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config_ldif(folder: Path) -> str:
    includes = "\n".join(f"include: file:///etc/ldap/schema/{name}.ldif" for name in SCHEMAS)
    return f"""\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {folder}/slapd.pid

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{includes}

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {folder}/data
olcSuffix: {SUFFIX}
olcRootDN: {ROOT_DN}
olcRootPW: {ROOT_PASSWORD}
olcAccess: {{0}}to attrs=userPassword by anonymous auth by * none
olcAccess: {{1}}to * by users read by * none
"""


def data_ldif() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: intranet\n"
        "o: Intranet",
        *(f"dn: ou={unit},{SUFFIX}\nobjectClass: organizationalUnit\nou: {unit}"
          for unit in ("people", "groups", "services")),
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: segbuilder\nuserPassword: {SERVICE_PASSWORD}",
    ]
    for uid, (given, surname, password, _) in PEOPLE_AND_GROUPS.items():
        entries.append(
            f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
            f"cn: {given} {surname}\ngivenName: {given}\nsn: {surname}\n"
            f"mail: {uid}@intranet.example\nuserPassword: {password}")
    for group in (EDITORS, VIEWERS, STAFF):
        members = [f"uid={uid},{PEOPLE}" for uid, (*_, groups) in PEOPLE_AND_GROUPS.items()
                   if group in groups]
        entries.append(f"dn: {group}\nobjectClass: groupOfNames\ncn: {common_name(group)}\n"
                       + "\n".join(f"member: {member}" for member in members))
    for role, uid, gid in (("editors", "alice", 5001), ("viewers", "victor", 5002)):
        unique, posix = UNIQUE[role], POSIX[role]
        entries.append(f"dn: {unique}\nobjectClass: groupOfUniqueNames\n"
                       f"cn: {common_name(unique)}\nuniqueMember: uid={uid},{PEOPLE}")
        entries.append(f"dn: {posix}\nobjectClass: posixGroup\n"
                       f"cn: {common_name(posix)}\ngidNumber: {gid}\nmemberUid: {uid}")
    return "\n\n".join(entries) + "\n"


def common_name(dn: str) -> str:
    return dn.split(",")[0].removeprefix("cn=")
