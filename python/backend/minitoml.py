"""The subset of TOML that python/pyproject.toml is written in, for Pythons without tomllib
(before 3.11): `[table]` and `[a.b]` headers, one `key = value` per line, a value being a basic
string, an array or an inline table of such values, true, false or an integer; comments.
Anything else raises ValueError naming the line (tests/install_test.sh checks that this reader
and tomllib agree on pyproject.toml)."""
import json
import re

# a basic string, a bracket, brace, '=' or ',', or a bare word (key, integer, true/false)
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}=,]|[A-Za-z0-9_.+-]+')


def _beyond(no):
    return ValueError("pyproject.toml:%d: beyond the TOML this reader knows" % no)


def _tokens(line, no):
    out, pos = [], 0
    while True:
        while pos < len(line) and line[pos] in " \t":
            pos += 1
        if pos == len(line) or line[pos] == "#":
            return out
        m = _TOKEN.match(line, pos)
        if not m:
            raise _beyond(no)
        out.append(m.group())
        pos = m.end()


def _key(token, no):
    """A basic string or a bare key; a dotted key (a.b = 1) is beyond the subset."""
    if token.startswith('"'):
        return json.loads(token)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise _beyond(no)
    return token


def _value(tokens, i, no):
    """The value starting at tokens[i], and the index after it."""
    if i >= len(tokens):
        raise _beyond(no)
    t = tokens[i]
    if t.startswith('"'):
        return json.loads(t), i + 1
    if t in ("true", "false"):
        return t == "true", i + 1
    if re.fullmatch(r"[+-]?[0-9]+", t):
        return int(t), i + 1
    if t not in "[{" or len(t) != 1:
        raise _beyond(no)
    close, items, i = "]" if t == "[" else "}", [], i + 1
    while i < len(tokens) and tokens[i] != close:
        if close == "}":  # key = value
            if i + 1 >= len(tokens) or tokens[i + 1] != "=":
                raise _beyond(no)
            key, i = _key(tokens[i], no), i + 2
        value, i = _value(tokens, i, no)
        items.append((key, value) if close == "}" else value)
        if i < len(tokens) and tokens[i] == ",":
            i += 1
        elif i >= len(tokens) or tokens[i] != close:
            raise _beyond(no)
    if i >= len(tokens):
        raise _beyond(no)
    return (dict(items) if close == "}" else items), i + 1


def loads(text):
    root = {}
    table = root
    for no, line in enumerate(text.split("\n"), 1):
        tokens = _tokens(line, no)
        if not tokens:
            continue
        if tokens[0] == "[":
            if len(tokens) != 3 or tokens[2] != "]":
                raise _beyond(no)
            table = root
            for part in tokens[1].split("."):
                table = table.setdefault(part, {})
            continue
        if len(tokens) < 3 or tokens[1] != "=":
            raise _beyond(no)
        value, end = _value(tokens, 2, no)
        if end != len(tokens):
            raise _beyond(no)
        table[_key(tokens[0], no)] = value
    return root
