#!/usr/bin/env python3
"""A wheel as PEP 427 has it: named NAME-VERSION-py3-none-any.whl, a pure-Python WHEEL, METADATA
of that name and version, and a RECORD listing every other member once with its size and
urlsafe-base64 sha256 (RECORD itself without). Prints what is wrong, exits 1 if anything is.

usage: wheel_check.py WHEEL NAME VERSION"""
import base64
import csv
import hashlib
import io
import sys
import zipfile
from email.parser import Parser
from pathlib import Path


def problems(path, name, version):
    base = "%s-%s" % (name, version)
    if Path(path).name != base + "-py3-none-any.whl":
        yield "file name %s, not %s-py3-none-any.whl" % (Path(path).name, base)
    dist_info = base + ".dist-info/"
    with zipfile.ZipFile(path) as whl:
        members = {n: whl.read(n) for n in whl.namelist()}
    record = members.get(dist_info + "RECORD")
    if record is None:
        yield "no " + dist_info + "RECORD"
        return
    listed = set()
    for row in csv.reader(io.StringIO(record.decode())):
        arcname, digest, size = row
        if arcname in listed:
            yield "RECORD lists %s twice" % arcname
        listed.add(arcname)
        if arcname == dist_info + "RECORD":
            if digest or size:
                yield "RECORD gives a hash for itself"
            continue
        data = members.get(arcname)
        if data is None:
            yield "RECORD lists %s, not in the wheel" % arcname
            continue
        want = "sha256=" + base64.urlsafe_b64encode(
            hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if digest != want or size != str(len(data)):
            yield "%s: RECORD says %s,%s; its bytes are %s,%d" % (
                arcname, digest, size, want, len(data))
    for arcname in sorted(set(members) - listed):
        yield "%s is not in RECORD" % arcname
    wheel = Parser().parsestr(members.get(dist_info + "WHEEL", b"").decode())
    if wheel["Wheel-Version"] != "1.0" or wheel["Root-Is-Purelib"] != "true" \
            or wheel.get_all("Tag") != ["py3-none-any"]:
        yield "WHEEL: %r" % dict(wheel)
    meta = Parser().parsestr(members.get(dist_info + "METADATA", b"").decode())
    if (meta["Name"], meta["Version"]) != (name, version):
        yield "METADATA names %s %s" % (meta["Name"], meta["Version"])


def main():
    wrong = list(problems(*sys.argv[1:4]))
    for line in wrong:
        print("wheel_check.py: %s: %s" % (sys.argv[1], line))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
