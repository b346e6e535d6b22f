"""Accounts and roles: scrypt passwords, opaque session tokens, failed-login throttling."""

from edge.accounts._passwords import (
    WeakPassword,
    burn_time,
    check_strength,
    hash_password,
    verify_password,
)
from edge.accounts._principal import Principal, Role
from edge.accounts._ratelimit import LoginThrottle
from edge.accounts._sessions import Sessions
from edge.accounts._users import (
    AccountError,
    add_user,
    feed_owner,
    find_user,
    list_users,
    resolve_person,
    set_feed_token,
    set_password,
)

__all__ = [
    "AccountError",
    "LoginThrottle",
    "Principal",
    "Role",
    "Sessions",
    "WeakPassword",
    "add_user",
    "burn_time",
    "check_strength",
    "feed_owner",
    "find_user",
    "hash_password",
    "list_users",
    "resolve_person",
    "set_feed_token",
    "set_password",
    "verify_password",
]
