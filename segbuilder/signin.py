"""Signing in with a company account: the directory backend that takes the
roles from the directory's groups, the trusted sign-in header, and the login
form that says why a sign-in failed.

The settings come from segbuilder/directory.py. A directory sign-in binds
as the person, then gives them exactly the roles ("Segment editors",
"Segment viewers") whose directory groups they are in, and staff if they are
in the staff group; someone in none of these groups is refused. Local
accounts keep signing in through ModelBackend, after the directory's.
"""

from __future__ import annotations

import ipaddress

import ldap
from django import forms
from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.middleware import RemoteUserMiddleware
from django.contrib.auth.models import Group
from django.core.exceptions import MiddlewareNotUsed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import LDAPGroupQuery

from segbuilder.directory import ROLE_VARIABLES

# Why a sign-in failed, noted on the request for the login form to say.
UNAVAILABLE = "directory_unavailable"
DIRECTORY_ERROR = "directory_error"
NO_ACCESS = "no_access"
# The errors that mean the directory could not be reached in time.
UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)


class NoAccess(Exception):
    """The directory knows the person, but none of their groups is mapped."""


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend with the segment builder's roles."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            user = super().authenticate(request, username, password, **kwargs)
        except NoAccess:
            note_problem(request, NO_ACCESS)
            return None
        if user is not None:
            set_roles(user, user.directory_roles)
        return user

    def populate_user(self, username):
        """The person the trusted header names, read from the directory
        without their password (django-auth-ldap's populate_user)."""
        try:
            user = super().populate_user(username)
        except NoAccess:
            return None
        if user is not None:
            set_roles(user, user.directory_roles)
        return user

    def get_or_build_user(self, username, ldap_user):
        # Called once the password is checked and before the user is saved:
        # a stranger is refused here, so no account is made for them.
        user, built = super().get_or_build_user(username, ldap_user)
        roles = {role for role, dn in settings.DIRECTORY_ROLES.items() if is_member(ldap_user, dn)}
        staff = self.settings.USER_FLAGS_BY_GROUP.get("is_staff")
        if not roles and not (staff and is_member(ldap_user, staff)):
            if not built:
                set_roles(user, set())  # removed from every group: no role left either
            raise NoAccess("in none of the directory groups that give access")
        user.directory_roles = roles
        return user, built


def is_member(ldap_user, group_dn: str) -> bool:
    # The group type's own test: a compare for groupOfNames, the nested
    # search for Active Directory, memberUid or gidNumber for posixGroup.
    return LDAPGroupQuery(group_dn).resolve(ldap_user)


def set_roles(user, roles: set[str]) -> None:
    """The user's role groups become exactly `roles`; other groups stay."""
    groups = list(Group.objects.filter(name__in=ROLE_VARIABLES))
    user.groups.remove(*[group for group in groups if group.name not in roles])
    user.groups.add(*[group for group in groups if group.name in roles])


@receiver(ldap_error, sender=DirectoryBackend)
def note_directory_error(sender, context, user, request, exception, **kwargs) -> None:
    # django-auth-ldap has logged the error (never with a password) and will
    # refuse the sign-in; the login form says why.
    note_problem(request, UNAVAILABLE if isinstance(exception, UNREACHABLE) else DIRECTORY_ERROR)


def note_problem(request: HttpRequest | None, problem: str) -> None:
    if request is not None:
        request.sign_in_problem = problem  # type: ignore[attr-defined]  # read by SignInForm


class SignInForm(AuthenticationForm):
    """The login form: says when the directory did not answer, or knows the
    person but gives them no access."""

    error_messages = {
        **AuthenticationForm.error_messages,
        UNAVAILABLE: _("The company directory does not answer; try again, "
                       "or use a local account."),
        DIRECTORY_ERROR: _("The company directory could not check this sign-in (an "
                           "administrator finds why in the log); try a local account."),
        NO_ACCESS: _("Your company account has no access to the segment builder. "
                     "Ask %(contact)s for access."),
    }

    def uses_directory(self) -> bool:
        return settings.DIRECTORY_ENABLED

    def get_invalid_login_error(self) -> forms.ValidationError:
        problem = getattr(self.request, "sign_in_problem", None)
        if problem not in (UNAVAILABLE, DIRECTORY_ERROR, NO_ACCESS):
            return super().get_invalid_login_error()
        contact = settings.ACCESS_CONTACT or _("an administrator of the segment builder")
        return forms.ValidationError(self.error_messages[problem], code=problem,
                                     params={"contact": contact})


class TrustedHeaderBackend(RemoteUserBackend):
    """The person a single-sign-on proxy names in REMOTE_USER_HEADER: with a
    directory, their roles come from it as at a password sign-in; without,
    they must have a local account, and keep its groups."""

    create_unknown_user = False

    def authenticate(self, request, remote_user):
        if not remote_user:
            return None
        if not settings.DIRECTORY_ENABLED:
            return super().authenticate(request, remote_user)
        user = DirectoryBackend().populate_user(self.clean_username(remote_user))
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


def is_trusted_header_attempt(request: HttpRequest, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: a header sign-in never counts toward lockout."""
    return bool(credentials) and "remote_user" in (credentials or {})


class TrustedHeaderMiddleware(RemoteUserMiddleware):
    """Signs in the person named by REMOTE_USER_HEADER, only on requests from
    TRUSTED_PROXIES: from anyone else the header is dropped, so it cannot be
    forged by a browser that reaches the app directly."""

    async_capable = False  # type: ignore[assignment]  # sync only, as the stubs do not allow

    def __init__(self, get_response):
        if not settings.REMOTE_USER_HEADER:
            raise MiddlewareNotUsed
        super().__init__(get_response)
        self.header = "HTTP_" + settings.REMOTE_USER_HEADER.upper().replace("-", "_")
        self.proxies = [ipaddress.ip_network(proxy) for proxy in settings.TRUSTED_PROXIES]

    def process_request(self, request: HttpRequest) -> None:
        if not self.from_trusted_proxy(request):
            request.META.pop(self.header, None)
        super().process_request(request)

    def from_trusted_proxy(self, request: HttpRequest) -> bool:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in network for network in self.proxies)
