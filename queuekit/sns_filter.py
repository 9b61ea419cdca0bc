"""SNS subscription filter policies, checked against what AWS documents before a deploy.

moto (``queuekit local``) accepts many policies that AWS rejects at ``Subscribe`` /
``SetSubscriptionAttributes`` time (it never checks numeric bounds, ``cidr``, an operator's argument types
or bare values), so without these checks a bad ``filter`` passes ``validate`` and ``local verify`` and only
fails minutes into ``pulumi up``. Sources (Amazon SNS Developer Guide):

* "Filter policy constraints in Amazon SNS",
  https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html : at most 5 keys;
  the "total combination of values" must not exceed 150, computed by multiplying the number of values in
  each array (``{"a": [1, 2, 3], "b": [1], "c": [1, 2]}`` → 3 × 1 × 2 = 6); values are strings, numbers,
  ``true``/``false``/``null``; numeric matching covers -10^9 to 10^9; a policy is at most 256 KB; and
  attribute-based filtering (the ``MessageAttributes`` scope, the default) does not accept nested policies.
* "Amazon SNS subscription filter policies" (sns-subscription-filter-policies.html) lists the operators,
  detailed in "String value matching" (prefix, suffix, equals-ignore-case, anything-but with a value, a list
  or ``{"prefix": ...}``, cidr), "Numeric value matching" (``=``, ``<``, ``<=``, ``>``, ``>=``; a range is a
  lower bound ``>``/``>=`` then an upper bound ``<``/``<=``), "Key matching" (``exists``: true/false) and
  "AND/OR logic" (``"$or"``: a list of at least two policies).

queuekit subscribes with the default ``MessageAttributes`` scope, so a nested mapping is an error here.
The docs state the key and combination limits for one rule; a ``"$or"`` policy is checked per alternative
(the keys outside ``$or`` plus one branch), the lenient reading, so no policy AWS accepts is refused here.
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_BYTES = 256 * 1024
NUMERIC_BOUND = 1_000_000_000
OPERATORS = ("anything-but", "cidr", "equals-ignore-case", "exists", "numeric", "prefix", "suffix")
NUMERIC_OPERATORS = ("=", "<", "<=", ">", ">=")
OR = "$or"

Rel = tuple[str | int, ...]  # a path inside the filter policy
Problem = tuple[Rel, str]


def check(policy: Mapping[str, Any]) -> list[Problem]:
    """Every way ``policy`` breaks AWS's documented rules, as (path inside the policy, message)."""
    problems = list(_policy((), policy))
    size = len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_BYTES:
        problems.append(((), f"filter policy is {size:,} bytes as JSON; SNS allows at most {MAX_BYTES:,} (256 KB)"))
    if not problems:  # the limits count arrays, which only mean something once the shape is right
        problems += _limits(policy)
    return problems


# -- shape --------------------------------------------------------------------------------------


def _policy(rel: Rel, policy: Mapping[str, Any]) -> Iterator[Problem]:
    for key, value in policy.items():
        here = (*rel, key)
        if key == OR:
            yield from _or(here, value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from _value((*here, i), item)
        elif isinstance(value, Mapping):
            if len(value) == 1 and next(iter(value)) in OPERATORS:
                yield here, (f"{_show(value)} must be a list of values (AWS filter policies match arrays): "
                             f"use [{_show(value)}]")
            else:
                yield here, ("nested filter policies need the MessageBody filter scope; queuekit subscribes with "
                             "the default MessageAttributes scope, where AWS rejects nesting: match a message "
                             "attribute with a list of values")
        else:
            yield here, (f"{_quote(value)} must be a list of values (AWS filter policies match arrays): "
                         f"use [{_show(value)}]")


def _or(here: Rel, value: Any) -> Iterator[Problem]:
    if not (isinstance(value, list) and len(value) >= 2 and all(isinstance(b, Mapping) for b in value)):
        yield here, "'$or' takes a list of at least 2 filter policies (mappings), each one alternative"
        return
    for i, branch in enumerate(value):
        yield from _policy((*here, i), branch)


def _value(here: Rel, item: Any) -> Iterator[Problem]:
    """One element of a value list: a literal or an operator object."""
    if item is None or isinstance(item, (str, bool)):
        return
    if isinstance(item, (int, float)):
        yield from _bounded(here, item)
        return
    if not isinstance(item, Mapping):
        yield here, (f"{_show(item)} is not a filter value: use a string, a number, true, false, null "
                     "or an operator object")
        return
    if len(item) != 1:
        yield here, (f"an operator object holds exactly one operator, not {len(item)}: give each "
                     "operator as its own list item")
        return
    (op, arg), = item.items()
    at = (*here, op)
    if op in ("prefix", "suffix", "equals-ignore-case"):
        if not isinstance(arg, str):
            yield at, f"{op} takes a string, not {_show(arg)}"
    elif op == "exists":
        if not isinstance(arg, bool):
            yield at, f"exists takes true or false, not {_show(arg)}"
    elif op == "cidr":
        yield from _cidr(at, arg)
    elif op == "anything-but":
        yield from _anything_but(at, arg)
    elif op == "numeric":
        yield from _numeric(at, arg)
    else:
        yield at, f"unknown operator '{op}'; SNS filter policies support: {', '.join(OPERATORS)}"


def _cidr(at: Rel, arg: Any) -> Iterator[Problem]:
    try:
        ipaddress.ip_network(arg, strict=False)
    except (TypeError, ValueError):
        yield at, f"cidr takes an IP address or CIDR block such as \"10.0.0.0/24\", not {_show(arg)}"


def _anything_but(at: Rel, arg: Any) -> Iterator[Problem]:
    if isinstance(arg, Mapping) and list(arg) == ["prefix"] and isinstance(arg["prefix"], str):
        return
    values = arg if isinstance(arg, list) else [arg]
    if values and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values):
        for i, v in enumerate(values):
            if not isinstance(v, str):
                yield from _bounded((*at, i) if isinstance(arg, list) else at, v)
        return
    yield at, (f"anything-but takes a string, a number, a list of them or {{\"prefix\": \"...\"}}, "
               f"not {_show(arg)}")


def _numeric(at: Rel, arg: Any) -> Iterator[Problem]:
    shape = 'numeric takes [operator, number] or a range [">", low, "<=", high]'
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        yield at, f"{shape}, not {_show(arg)}"
        return
    bad = False
    for i in range(0, len(arg), 2):
        op, number = arg[i], arg[i + 1]
        if op not in NUMERIC_OPERATORS:
            bad = True
            yield (*at, i), f"{_show(op)} is not a numeric operator: use {', '.join(NUMERIC_OPERATORS)}"
        if not isinstance(number, (int, float)) or isinstance(number, bool):
            bad = True
            yield (*at, i + 1), f"{_show(number)} is not a number (write it without quotes)"
        else:
            found = list(_bounded((*at, i + 1), number))
            bad = bad or bool(found)
            yield from found
    if bad or len(arg) == 2:
        return
    if arg[0] not in (">", ">=") or arg[2] not in ("<", "<="):
        yield at, f'a numeric range is a lower bound (">" or ">=") then an upper bound ("<" or "<="), not {_show(arg)}'
    elif arg[1] >= arg[3]:
        yield at, f"the numeric range {_show(arg)} is empty: the lower bound must be below the upper bound"


def _bounded(here: Rel, number: float) -> Iterator[Problem]:
    if not -NUMERIC_BOUND <= number <= NUMERIC_BOUND:
        yield here, f"{_show(number)} is outside the numbers SNS can match: -1,000,000,000 to 1,000,000,000"


# -- limits -------------------------------------------------------------------------------------


def _limits(policy: Mapping[str, Any]) -> list[Problem]:
    """The key and combination limits, for the alternative of ``policy`` that comes closest to them."""
    alternatives = list(_alternatives(policy))
    keys = max(len(a) for a in alternatives)
    problems: list[Problem] = []
    if keys > MAX_KEYS:
        where = " (counting the keys outside '$or' with the largest branch)" if OR in policy else ""
        problems.append(((), f"{keys} keys{where}; an SNS filter policy has at most {MAX_KEYS}"))
    worst = max(alternatives, key=lambda a: math.prod(len(v) for v in a.values()))
    total = math.prod(len(v) for v in worst.values())
    if total > MAX_COMBINATIONS:
        formula = " × ".join(str(len(v)) for v in worst.values())
        problems.append(((), f"the value lists combine to {total} ({formula}: the product of the list lengths); "
                             f"SNS allows at most {MAX_COMBINATIONS}"))
    return problems


def _alternatives(policy: Mapping[str, Any]) -> Iterator[dict[str, list[Any]]]:
    """Each rule ``policy`` stands for: its plain keys plus one branch of each ``$or``, recursively."""
    plain = {k: v for k, v in policy.items() if k != OR}
    if OR not in policy:
        yield plain
        return
    for branch in policy[OR]:
        for alt in _alternatives(branch):
            yield {**plain, **alt}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _quote(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else _show(value)
