"""Sign-in settings from the environment (segbuilder/directory.py): off
unless set, and every bad value stops start-up naming its variable."""

from __future__ import annotations

import re
from pathlib import Path

import ldap
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from segbuilder.directory import sign_in_backends, sign_in_settings

DIRECTORY = {
    "LDAP_SERVER_URI": "ldap://dc.intranet.example:389",
    "LDAP_USER_SEARCH": "ou=people,dc=intranet,dc=example",
    "LDAP_GROUP_SEARCH": "ou=groups,dc=intranet,dc=example",
    "LDAP_EDITORS_GROUP": "cn=senders,ou=groups,dc=intranet,dc=example",
}


@pytest.fixture
def environment(sign_in_variables):
    return sign_in_variables


def test_nothing_set_means_local_accounts_only(environment):
    assert sign_in_backends() == []
    values = sign_in_settings()
    assert values["DIRECTORY_ENABLED"] is False and values["REMOTE_USER_HEADER"] == ""
    assert not [name for name in values if name.startswith("AUTH_LDAP_")]


def test_a_directory_with_the_defaults(environment):
    environment(**DIRECTORY)
    assert sign_in_backends() == ["segbuilder.signin.DirectoryBackend"]
    values = sign_in_settings()
    assert values["AUTH_LDAP_START_TLS"] is False
    assert (values["AUTH_LDAP_BIND_DN"], values["AUTH_LDAP_BIND_PASSWORD"]) == ("", "")
    assert values["AUTH_LDAP_USER_SEARCH"].filterstr == "(uid=%(user)s)"
    assert type(values["AUTH_LDAP_GROUP_TYPE"]).__name__ == "GroupOfNamesType"
    assert values["AUTH_LDAP_GROUP_SEARCH"].filterstr == "(objectClass=groupOfNames)"
    assert values["DIRECTORY_ROLES"] == {"Segment editors": DIRECTORY["LDAP_EDITORS_GROUP"]}
    assert values["AUTH_LDAP_USER_FLAGS_BY_GROUP"] == {}
    options = values["AUTH_LDAP_CONNECTION_OPTIONS"]
    assert options[ldap.OPT_NETWORK_TIMEOUT] == options[ldap.OPT_TIMEOUT] == 5.0


def test_active_directory(environment):
    environment(**DIRECTORY, LDAP_GROUP_TYPE="activeDirectory", LDAP_START_TLS="true",
                LDAP_USER_FILTER="(sAMAccountName=%(user)s)", LDAP_TIMEOUT="3",
                LDAP_STAFF_GROUP="cn=admins,dc=intranet,dc=example")
    values = sign_in_settings()
    assert type(values["AUTH_LDAP_GROUP_TYPE"]).__name__ == "NestedActiveDirectoryGroupType"
    assert values["AUTH_LDAP_GROUP_SEARCH"].filterstr == "(objectClass=group)"
    assert values["AUTH_LDAP_USER_SEARCH"].filterstr == "(sAMAccountName=%(user)s)"
    assert values["AUTH_LDAP_START_TLS"] is True
    assert values["AUTH_LDAP_USER_FLAGS_BY_GROUP"] == {
        "is_staff": "cn=admins,dc=intranet,dc=example"}
    assert values["AUTH_LDAP_CONNECTION_OPTIONS"][ldap.OPT_TIMEOUT] == 3.0


@pytest.mark.parametrize("variables, named", [
    ({"LDAP_SERVER_URI": "http://dc.intranet.example"}, "LDAP_SERVER_URI"),
    ({"LDAP_USER_SEARCH": ""}, "LDAP_USER_SEARCH"),
    ({"LDAP_GROUP_SEARCH": ""}, "LDAP_GROUP_SEARCH"),
    ({"LDAP_USER_FILTER": "(uid=*)"}, "LDAP_USER_FILTER"),
    ({"LDAP_GROUP_TYPE": "nisNetgroup"}, "LDAP_GROUP_TYPE"),
    ({"LDAP_START_TLS": "maybe"}, "LDAP_START_TLS"),
    ({"LDAP_TIMEOUT": "soon"}, "LDAP_TIMEOUT"),
    ({"LDAP_TIMEOUT": "0"}, "LDAP_TIMEOUT"),
    ({"LDAP_EDITORS_GROUP": ""}, "LDAP_EDITORS_GROUP"),
])
def test_a_bad_directory_setting_stops_start_up_naming_it(environment, variables, named):
    environment(**{**DIRECTORY, **variables})
    with pytest.raises(ImproperlyConfigured, match=named):
        sign_in_settings()


@pytest.mark.parametrize("variables, named", [
    ({"REMOTE_USER_HEADER": "X-Remote-User"}, "TRUSTED_PROXIES"),
    ({"REMOTE_USER_HEADER": "X_Remote_User", "TRUSTED_PROXIES": "10.0.0.5"},
     "REMOTE_USER_HEADER"),
    ({"REMOTE_USER_HEADER": "X-Remote-User", "TRUSTED_PROXIES": "proxy.intranet"},
     "TRUSTED_PROXIES"),
])
def test_a_bad_header_setting_stops_start_up_naming_it(environment, variables, named):
    environment(**variables)
    with pytest.raises(ImproperlyConfigured, match=named):
        sign_in_settings()


def test_the_trusted_header(environment):
    environment(REMOTE_USER_HEADER="X-Remote-User", TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16")
    assert sign_in_backends() == ["segbuilder.signin.TrustedHeaderBackend"]
    values = sign_in_settings()
    assert values["TRUSTED_PROXIES"] == ["10.0.0.5", "10.1.0.0/16"]
    assert values["AXES_WHITELIST_CALLABLE"] == "segbuilder.signin.is_trusted_header_attempt"


def test_every_sign_in_variable_is_documented():
    base = Path(settings.BASE_DIR)
    source = (base / "segbuilder" / "directory.py").read_text()
    variables = set(re.findall(r'"((?:LDAP|REMOTE_USER|TRUSTED|ACCESS)_[A-Z_]+)"', source))
    assert len(variables) == 15
    readme, example = (base / "README.md").read_text(), (base / ".env.example").read_text()
    assert [name for name in sorted(variables) if f"`{name}`" not in readme] == []
    assert [name for name in sorted(variables) if f"# {name}=" not in example] == []
