"""Sign-in settings from the environment: the company directory (LDAP or
Active Directory, through django-auth-ldap) and a trusted sign-in header.

Both are off unless configured: the directory when LDAP_SERVER_URI is set,
the header when REMOTE_USER_HEADER is. settings.py takes the AUTH_LDAP_*
values and the rest from `sign_in_settings()`, and the backends from
`sign_in_backends()`; segbuilder/signin.py does the work at sign-in.
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ImproperlyConfigured

from segbuilder.env import env_bool, env_choice, env_float, env_list, env_str

# LDAP_GROUP_TYPE -> (django-auth-ldap's group type, what the group search looks for).
GROUP_TYPES = {
    "groupofnames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupofuniquenames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "posixgroup": ("PosixGroupType", "(objectClass=posixGroup)"),
    # Active Directory: a member of a group inside the mapped group counts too.
    "activedirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}
# The Django groups of the two roles (segments/migrations/0003_roles.py) and
# the variables naming the directory groups that grant them.
ROLE_VARIABLES = {"Segment editors": "LDAP_EDITORS_GROUP", "Segment viewers": "LDAP_VIEWERS_GROUP"}

DIRECTORY_BACKEND = "segbuilder.signin.DirectoryBackend"
TRUSTED_HEADER_BACKEND = "segbuilder.signin.TrustedHeaderBackend"


def sign_in_backends() -> list[str]:
    """The backends to put between axes' and the local accounts' ModelBackend."""
    backends = [DIRECTORY_BACKEND] if env_str("LDAP_SERVER_URI") else []
    if env_str("REMOTE_USER_HEADER"):
        backends.append(TRUSTED_HEADER_BACKEND)
    return backends


def sign_in_settings() -> dict[str, object]:
    """ACCESS_CONTACT, the trusted header's settings, DIRECTORY_ENABLED and,
    when it is, the AUTH_LDAP_* settings and DIRECTORY_ROLES (Django group ->
    directory group DN)."""
    values: dict[str, object] = {
        # Whom a person without access should ask: shown on the login page.
        "ACCESS_CONTACT": env_str("ACCESS_CONTACT"),
        **trusted_header_settings(),
        "DIRECTORY_ENABLED": bool(env_str("LDAP_SERVER_URI")),
        "DIRECTORY_ROLES": {},
    }
    if env_str("LDAP_SERVER_URI"):
        values.update(ldap_settings())
    return values


def ldap_settings() -> dict[str, object]:
    import ldap
    from django_auth_ldap import config

    uri = env_str("LDAP_SERVER_URI")
    if not uri.startswith(("ldap://", "ldaps://", "ldapi://")):
        raise ImproperlyConfigured(
            f"LDAP_SERVER_URI must start with ldap://, ldaps:// or ldapi://, not {uri!r}.")
    timeout = env_float("LDAP_TIMEOUT", 5.0)
    group_type, group_filter = GROUP_TYPES[env_choice("LDAP_GROUP_TYPE", list(GROUP_TYPES),
                                                      "groupofnames")]
    roles = {name: env_str(variable) for name, variable in ROLE_VARIABLES.items()
             if env_str(variable)}
    staff = env_str("LDAP_STAFF_GROUP")
    if not roles and not staff:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but none of LDAP_EDITORS_GROUP, LDAP_VIEWERS_GROUP and "
            "LDAP_STAFF_GROUP is: nobody from the directory could sign in.")
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_START_TLS": env_bool("LDAP_START_TLS", False),
        "AUTH_LDAP_BIND_DN": env_str("LDAP_BIND_DN"),
        "AUTH_LDAP_BIND_PASSWORD": env_str("LDAP_BIND_PASSWORD"),
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(
            required("LDAP_USER_SEARCH"), ldap.SCOPE_SUBTREE, user_filter()),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn",
                                    "email": "mail"},
        "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(
            required("LDAP_GROUP_SEARCH"), ldap.SCOPE_SUBTREE, group_filter),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, group_type)(),
        "AUTH_LDAP_USER_FLAGS_BY_GROUP": {"is_staff": staff} if staff else {},
        # Name, e-mail, staff and roles are read again at every sign-in, and
        # nothing is cached: a change in the directory counts from the next one.
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            # Without both a directory that accepts the connection but never
            # answers holds the sign-in (and a worker) for good.
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            # Active Directory's referrals need a bind of their own: don't follow them.
            ldap.OPT_REFERRALS: 0,
        },
        "DIRECTORY_ROLES": roles,
    }


def user_filter() -> str:
    value = env_str("LDAP_USER_FILTER", "(uid=%(user)s)")
    if "%(user)s" not in value:
        raise ImproperlyConfigured(
            f"LDAP_USER_FILTER must contain %(user)s, e.g. (uid=%(user)s), not {value!r}.")
    return value


def required(name: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when LDAP_SERVER_URI is.")
    return value


def trusted_header_settings() -> dict[str, object]:
    header = env_str("REMOTE_USER_HEADER")
    proxies = env_list("TRUSTED_PROXIES")
    if not header:
        return {"REMOTE_USER_HEADER": "", "TRUSTED_PROXIES": []}
    # Letters, digits and dashes only: servers drop headers with underscores.
    if not header.replace("-", "").isalnum():
        raise ImproperlyConfigured(
            f"REMOTE_USER_HEADER must be a header name like X-Remote-User, not {header!r}.")
    if not proxies:
        raise ImproperlyConfigured(
            "REMOTE_USER_HEADER is set but TRUSTED_PROXIES is empty: name the addresses of "
            "the proxies allowed to set it.")
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES must list addresses or networks (10.0.0.5, 10.0.0.0/24), "
                f"not {proxy!r}.") from None
    return {
        "REMOTE_USER_HEADER": header,
        "TRUSTED_PROXIES": proxies,
        # The proxy vouches for the person: a header naming nobody known is not
        # a guessed password, and counting it would lock out the proxy's address.
        "AXES_WHITELIST_CALLABLE": "segbuilder.signin.is_trusted_header_attempt",
    }
