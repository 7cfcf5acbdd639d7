#!/usr/bin/env python3
"""A second reader of idmap indexes, written from format/FORMAT.md alone.

It is meant to be read next to the specification: plain code, one function per part of the
format, no speed tricks, only Python's standard library. It opens an index, checks the header,
the section table and every section's CRC, and answers
  - forward lookups: accession -> its (type name, value) pairs;
  - reverse lookups: (type name, value) -> accessions.
Section ids it does not know are ignored, as are META keys it does not know.

Usage: second_reader.py INDEX fwd ACCESSION...        (prints ACCESSION TAB TYPE TAB VALUE)
       second_reader.py INDEX rev TYPE VALUE...        (prints VALUE TAB ACCESSION)
       second_reader.py --vectors FORMAT.md [INDEX]    (checks the known-answer vectors;
                                                        INDEX: the sample index)
"""
import struct
import sys
import zlib

MASK64 = (1 << 64) - 1

# ---- Conventions ----------------------------------------------------------------------------


def u16(b, off):
    return struct.unpack_from("<H", b, off)[0]


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


def u64(b, off):
    return struct.unpack_from("<Q", b, off)[0]


def slot_width(n):
    """Bytes of a fixed-width slot below n: the fewest that hold n - 1, at least 1."""
    return max(1, ((n - 1).bit_length() + 7) // 8) if n > 1 else 1


def varint(b, pos, end):
    """Unsigned LEB128 at b[pos:end]: (value, next position). At most 10 bytes, < 2^64."""
    value = shift = 0
    for _ in range(10):
        if pos >= end:
            raise FormatError("varint runs past its record")
        byte = b[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if value > MASK64:
                raise FormatError("varint over 64 bits")
            return value, pos
        shift += 7
    raise FormatError("varint longer than 10 bytes")


class FormatError(Exception):
    """The file breaks the specification."""


# ---- Encoded accessions -----------------------------------------------------------------------

B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGIT, ALPHA, ALNUM = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", B36


def _core_matches(core):
    """[OPQ][0-9][A-Z0-9]{3}[0-9] or [A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2}."""
    def fits(text, classes):
        return len(text) == len(classes) and all(c in k for c, k in zip(text, classes))
    if len(core) == 6 and fits(core, ["OPQ", DIGIT, ALNUM, ALNUM, ALNUM, DIGIT]):
        return True
    first = "ABCDEFGHIJKLMNRSTUVWXYZ"
    group = [ALPHA, ALNUM, ALNUM, DIGIT]
    return (fits(core, [first, DIGIT] + group) or fits(core, [first, DIGIT] + group + group))


def acc_encode(text):
    """The u64 code of an accession, or None when the text is not one."""
    core, isoform = text, 0
    if "-" in text:
        core, number = text.split("-", 1)
        if not (1 <= len(number) <= 4 and number.isdigit() and number.isascii()
                and number[0] != "0" and int(number) <= 2047):
            return None
        isoform = int(number)
    if not _core_matches(core):
        return None
    base36 = 0
    for c in core:
        base36 = base36 * 36 + B36.index(c)
    return (base36 << 12) | ((1 if len(core) == 10 else 0) << 11) | isoform


UPI_BASE = 36 ** 6  # UniParc UPIs: code (36^6 + n) << 12, n < 2^40


def upi_encode(text):
    """The code of a UniParc UPI ("UPI" + 10 upper-case hex digits), or None."""
    digits = text[3:]
    if (len(text) != 13 or not text.startswith("UPI")
            or any(c not in "0123456789ABCDEF" for c in digits)):
        return None
    return (UPI_BASE + int(digits, 16)) << 12


def acc_decode(code):
    """The accession (or UPI) text of a code."""
    if code & 0xFFF == 0 and UPI_BASE <= code >> 12 < UPI_BASE + (1 << 40):
        return "UPI%010X" % ((code >> 12) - UPI_BASE)
    isoform, long_form, base36 = code & 0x7FF, (code >> 11) & 1, code >> 12
    chars = []
    for _ in range(10 if long_form else 6):
        chars.append(B36[base36 % 36])
        base36 //= 36
    if base36:
        raise FormatError("accession code %#x too large" % code)
    text = "".join(reversed(chars))
    return text + ("-%d" % isoform if isoform else "")


# ---- Value coding -----------------------------------------------------------------------------

PREFIX = {"UniRef100": b"UniRef100_", "UniRef90": b"UniRef90_", "UniRef50": b"UniRef50_",
          "UniParc": b"UPI", "GO": b"GO:", "HGNC": b"HGNC:", "MGI": b"MGI:", "ChEMBL": b"CHEMBL"}
ACCESSION_TYPES = {"UniRef100", "UniRef90", "UniRef50", "#secondary", "#deleted", "#deleted-sp",
                   "#deleted-tr", "#isoform-of"}
VERSIONED_TYPES = {"RefSeq", "RefSeq_NT", "EMBL-CDS", "Ensembl", "Ensembl_TRS", "Ensembl_PRO",
                   "CCDS"}
NAMED_TYPES = {"UniProtKB-ID"}  # entry names ACCESSION_MNEMONIC: form 6
HEX_DIGITS = b"0123456789ABCDEF"


def coding_of(type_name):
    """(prefix, accessions allowed, versioned, entry names) of a type, from its name alone."""
    for alias in ("#unversioned:", "#uniparc:", "#uniparc-inactive:"):
        if type_name.startswith(alias) and len(type_name) > len(alias):
            type_name = type_name[len(alias):]
            break
    return (PREFIX.get(type_name, b""), type_name in ACCESSION_TYPES, type_name in VERSIONED_TYPES,
            type_name in NAMED_TYPES)


def version_stem(v):
    """Length of the stem of a versioned value stem.N, or 0 ("Data model")."""
    dot = v.rfind(b".")
    stem, n = v[:dot], v[dot + 1:]
    if dot < 2 or not 1 <= len(n) <= 4 or not n.isdigit():
        return 0
    ok = stem[:1].isalpha() and stem[-1:].isdigit() and \
        all(c in b"_" or chr(c).isalnum() for c in stem) and stem.isascii()
    return dot if ok else 0


def _head(coding, n, form, ver):
    return varint_bytes(n << 4 | ver << 3 | form if coding[2] else n << 3 | form)


def varint_bytes(x):
    out = bytearray()
    while True:
        out.append((x & 0x7F) | (0x80 if x >= 0x80 else 0))
        x >>= 7
        if not x:
            return bytes(out)


def vencode(coding, v):
    """The coded bytes of value v (bytes) under coding, by the table of "Value coding"."""
    prefix, accessions, versioned, named = coding
    stem = version_stem(v) if versioned else 0
    body, ver = (v[:stem], 1) if stem else (v, 0)
    if prefix and not body.startswith(prefix):
        out = _head(coding, len(body), 0, ver) + body
    else:
        r = body[len(prefix):]
        run = len(r) - len(r.rstrip(b"0123456789"))
        code = acc_encode(r.decode("latin-1")) if accessions and r.isascii() else None
        under = r.find(b"_")
        name = acc_encode(r[:under].decode("latin-1")) \
            if named and under >= 0 and r[:under].isascii() else None
        if 1 <= len(r) <= 19 and run == len(r):
            out = _head(coding, len(r), 1, ver) + varint_bytes(int(r))
        elif 1 <= len(r) <= 32 and all(c in HEX_DIGITS for c in r):
            packed = bytes(int(r[i:i + 2].ljust(2, b"0"), 16) for i in range(0, len(r), 2))
            out = _head(coding, len(r) - 1, 2, ver) + packed
        elif code is not None and acc_decode(code) == r.decode("latin-1"):
            long_form, isoform = (code >> 11) & 1, code & 0x7FF
            out = _head(coding, long_form | (2 if isoform else 0), 3, ver) + \
                (code >> 12).to_bytes(7 if long_form else 4, "little") + \
                (varint_bytes(isoform) if isoform else b"")
        elif name is not None and name & 0x7FF == 0 and \
                acc_decode(name) == r[:under].decode("latin-1"):
            long_form, mnemonic = (name >> 11) & 1, r[under + 1:]
            out = _head(coding, len(mnemonic) << 1 | long_form, 6, ver) + \
                (name >> 12).to_bytes(7 if long_form else 4, "little") + mnemonic
        elif 3 <= run <= 18 and run < len(r):
            t, zero = r[:-run], r[-run:][:1] == b"0"
            out = _head(coding, len(t), 4, ver) + t + varint_bytes(int(r[-run:]) << 1 | zero) + \
                (bytes([run]) if zero else b"")
        else:
            out = _head(coding, len(r), 5 if prefix else 0, ver) + r
    if stem:
        digits = v[stem + 1:]
        out += varint_bytes(int(digits) << 2 | (len(digits) - 1))
    return out


class Member:
    """A member value (form 7, "Member values"): the accession of its record's only posting
    [+ `_` + mnemonic], resolved by the key record once its posting is read."""

    def __init__(self, prefix, mnemonic):
        self.prefix, self.mnemonic = prefix, mnemonic

    def text(self, code):
        if self.mnemonic is None:
            return self.prefix + acc_decode(code).encode()
        if code & 0x7FF:
            raise FormatError("KEY_POOL: an entry name names an isoform")
        return self.prefix + acc_decode(code).encode() + b"_" + self.mnemonic


def vdecode(coding, b, pos, end):
    """The value coded at b[pos:end]: (text bytes, next position); a Member for form 7."""
    prefix, accessions, versioned, named = coding
    head, pos = varint(b, pos, end)
    form, ver, n = head & 7, (head >> 3 & 1) if versioned else 0, head >> (4 if versioned else 3)
    if form in (0, 5):
        text, pos = b[pos:pos + n], pos + n
        if len(text) != n:
            raise FormatError("KEY_POOL: value runs past its record")
    elif form == 1:
        number, pos = varint(b, pos, end)
        text = b"%0*d" % (n, number)
        if not 1 <= n <= 19 or len(text) != n:
            raise FormatError("KEY_POOL: bad decimal value")
    elif form == 2:
        n += 1
        packed, pos = b[pos:pos + (n + 1) // 2], pos + (n + 1) // 2
        text = packed.hex().upper().encode()[:n]
        if not 1 <= n <= 32 or len(text) != n:
            raise FormatError("KEY_POOL: bad hex value")
    elif form == 3:
        size = 7 if n & 1 else 4
        base36, pos = int.from_bytes(b[pos:pos + size], "little"), pos + size
        isoform = 0
        if n & 2:
            isoform, pos = varint(b, pos, end)
        text = acc_decode(base36 << 12 | (n & 1) << 11 | isoform).encode()
    elif form == 6 and named:
        size = 7 if n & 1 else 4
        base36, pos = int.from_bytes(b[pos:pos + size], "little"), pos + size
        mnemonic, pos = b[pos:pos + (n >> 1)], pos + (n >> 1)
        if len(mnemonic) != n >> 1:
            raise FormatError("KEY_POOL: entry name runs past its record")
        text = acc_decode(base36 << 12 | (n & 1) << 11).encode() + b"_" + mnemonic
    elif form == 7 and not versioned and (named or accessions and n == 0):
        mnemonic = None
        if named:
            mnemonic, pos = b[pos:pos + n], pos + n
            if len(mnemonic) != n or pos > end:
                raise FormatError("KEY_POOL: entry name runs past its record")
        return Member(prefix, mnemonic), pos
    elif form == 4:
        t, pos = b[pos:pos + n], pos + n
        number, pos = varint(b, pos, end)
        digits = len(str(number >> 1))
        if number & 1:
            digits, pos = b[pos], pos + 1
        number >>= 1
        if not 3 <= digits <= 18:
            raise FormatError("KEY_POOL: bad text + number value")
        text = t + b"%0*d" % (digits, number)
    else:
        raise FormatError("KEY_POOL: value form %d not assigned" % form)
    if form != 0:
        text = prefix + text
    if ver:
        version, pos = varint(b, pos, end)
        text += b".%0*d" % ((version & 3) + 1, version >> 2)
    if pos > end or not 1 <= len(text) <= 1024:
        raise FormatError("KEY_POOL: value out of bounds")
    return text, pos


# ---- Hashing ----------------------------------------------------------------------------------

K1, K2, K3 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9


def fmix(x):
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK64
    x ^= x >> 33
    return x


def mum(a, b):
    p = a * b
    return (p & MASK64) ^ (p >> 64)


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & MASK64


def high64(a, b):
    """The high 64 bits of the 128-bit product a * b."""
    return (a * b) >> 64


def hash128(data, seed):
    """H(bytes, n, seed) -> (hi, lo)."""
    n = len(data)
    a = seed ^ ((n * K1) & MASK64)
    b = (~seed & MASK64) ^ K2
    for i in range(0, n, 8):
        w = int.from_bytes(data[i:i + 8].ljust(8, b"\0"), "little")
        a = mum(a ^ w, K2)
        b = (mum(b ^ rotl(w, 32), K3) + w) & MASK64
    hi = fmix(a ^ n ^ rotl(b, 23))
    lo = fmix(b ^ rotl(a, 29))
    return hi, lo


def hash_acc(code, acc_seed):
    return hash128(code.to_bytes(8, "little"), acc_seed)


def hash_key(type_id, value, key_seed):
    return hash128(value, key_seed ^ ((type_id * K3) & MASK64))


# ---- MPHF directory and query -----------------------------------------------------------------


class Mphf:
    """One key space's MPHF: its directory (ACC_DIR / KEY_DIR), pilots and remap entries."""

    def __init__(self, name, directory, pilots, remap):
        d = directory
        if len(d) < 32:
            raise FormatError(name + ": shorter than its header")
        self.fbits, self.nparts, self.nkeys, self.seed = u32(d, 0), u32(d, 4), u64(d, 8), u64(d, 16)
        if self.fbits > 16 or u64(d, 24) != 0:
            raise FormatError(name + ": fbits over 16 or reserved field not zero")
        nfiles = 1 << self.fbits
        if len(d) != 32 + 8 * nfiles + 32 * self.nparts:
            raise FormatError(name + ": length does not match fbits and partitions")
        self.files = [(u32(d, 32 + 8 * f), u32(d, 36 + 8 * f)) for f in range(nfiles)]
        at = 32 + 8 * nfiles
        self.parts = []
        for i in range(self.nparts):
            e = at + 32 * i
            self.parts.append(dict(slot_base=u64(d, e), pilot_base=u64(d, e + 8),
                                   remap_base=u64(d, e + 16), n=u32(d, e + 24),
                                   part_seed=u32(d, e + 28)))
        if len(remap) % 4:
            raise FormatError(name + ": remap entries of a broken size")
        # a pilot byte per bucket (the partitions' buckets summed), then 8-aligned the
        # exceptions: u64 global bucket << 16 | pilot, for the bytes that are 255
        nbytes = sum(self.sizes(p["n"])[1] for p in self.parts)
        at = (nbytes + 7) // 8 * 8
        if at > len(pilots) or (len(pilots) - at) % 8:
            raise FormatError(name + ": pilot section of a broken size")
        exceptions, last = {}, -1
        for i in range((len(pilots) - at) // 8):
            e = u64(pilots, at + 8 * i)
            if e >> 16 <= last:
                raise FormatError(name + ": pilot exceptions not in bucket order")
            exceptions[e >> 16], last = e & 0xFFFF, e >> 16
        self.pilots = []
        for i in range(nbytes):
            if pilots[i] != 255:
                self.pilots.append(pilots[i])
            elif i in exceptions:
                self.pilots.append(exceptions.pop(i))
            else:
                raise FormatError(name + ": pilot byte 255 without its exception")
        if exceptions:
            raise FormatError(name + ": a pilot exception for a bucket whose byte is not 255")
        self.remap = [u32(remap, 4 * i) for i in range(len(remap) // 4)]
        self._check_tables(name)

    def _check_tables(self, name):
        """Files and partitions are consecutive; their sums match the arrays."""
        part = 0
        for first, count in self.files:
            if first != part:
                raise FormatError(name + ": file table not consecutive")
            part += count
        slot = pilot = remap = 0
        for p in self.parts:
            if (p["slot_base"], p["pilot_base"], p["remap_base"]) != (slot, pilot, remap):
                raise FormatError(name + ": partition table not consecutive")
            m, nb, _ = self.sizes(p["n"])
            slot, pilot, remap = slot + p["n"], pilot + nb, remap + m - p["n"]
        if (part, slot, pilot, remap) != (self.nparts, self.nkeys, len(self.pilots),
                                          len(self.remap)):
            raise FormatError(name + ": totals differ from the arrays")

    @staticmethod
    def sizes(n):
        """m positions, nb buckets, nb1 dense buckets of a partition of n keys."""
        m = n + (n >> 6)
        nb = (n + 2) // 3 if n else 0
        nb1 = (3 * nb + 9) // 10
        return m, nb, nb1

    def query(self, h, trace=None):
        """The candidate slot of key hash h = (hi, lo), or None. trace (a dict) receives the
        intermediate values, for the known-answer vectors."""
        hi, lo = h
        trace = {} if trace is None else trace
        f = 0 if self.fbits == 0 else hi >> (64 - self.fbits)
        first, count = self.files[f]
        trace.update(file=f)
        if count == 0:
            return None
        r = hi if self.fbits == 0 else (hi << self.fbits) & MASK64
        part = first + (0 if count == 1 else high64(r, count))
        p = self.parts[part]
        n = p["n"]
        trace.update(partition=part, n=n, part_seed=p["part_seed"])
        if n == 0:
            return None
        m, nb, nb1 = self.sizes(n)
        x = lo & 0xFFFFFFFF
        if nb1 == nb or (lo >> 32) < 0x9999999A:
            bucket = (x * nb1) >> 32
        else:
            bucket = nb1 + ((x * (nb - nb1)) >> 32)
        pilot = self.pilots[p["pilot_base"] + bucket]
        pos = high64(fmix(hi ^ fmix((pilot << 32) ^ p["part_seed"])), m)
        trace.update(bucket=bucket, pilot=pilot, position=pos)
        if pos >= n:
            pos = self.remap[p["remap_base"] + pos - n]
            if pos >= n:
                return None
        trace.update(slot=p["slot_base"] + pos)
        return p["slot_base"] + pos


# ---- Offset tables ----------------------------------------------------------------------------


WIDE = 1 << 63


# Offset table layouts: (records per block, narrow blocks hold u8 lengths rather than u16 ends)
ENDS16, LENS8 = (28, False), (56, True)


def ot_record(layout, table, wide, pool_len, s):
    """[start, end) of record s in its pool, from an offset table of 64-byte blocks: a u64
    base and 28 u16 ends (ENDS16: FWD_INDEX) or 56 u8 record lengths (LENS8: KEY_INDEX), or,
    when the base's top bit is set, a u32 naming an entry of 28 or 56 u64 ends in the wide
    section."""
    per, lens = layout
    b, j = divmod(s, per)
    block = 64 * b
    base = u64(table, block)
    if base & WIDE:
        w = u32(table, block + 8)
        if 8 * per * (w + 1) > len(wide):
            raise FormatError("offset table block %d names no wide entry" % b)
        at = 8 * per * w
        base &= WIDE - 1
        end = base + u64(wide, at + 8 * j)
        start = base if j == 0 else base + u64(wide, at + 8 * (j - 1))
    elif lens:
        start = base + sum(table[block + 8:block + 8 + j])
        end = start + table[block + 8 + j]
    else:
        end = base + u16(table, block + 8 + 2 * j)
        start = base if j == 0 else base + u16(table, block + 6 + 2 * j)
    if not start <= end <= pool_len:
        raise FormatError("offset table entry %d out of order or past its pool" % s)
    return start, end


def ot_check(layout, name, table, wide, pool_len, n):
    """What a reader checks at open: the lengths, the first base, the last end."""
    per = layout[0]
    blocks = (n + per - 1) // per
    if len(table) != 64 * blocks:
        raise FormatError(name + ": length does not match the record count")
    if len(wide) % (8 * per) or len(wide) // (8 * per) > blocks:
        raise FormatError(name + ": wide section length")
    if n == 0:
        if pool_len:
            raise FormatError(name + ": no records but a pool")
        return
    if u64(table, 0) & (WIDE - 1) != 0 or \
            ot_record(layout, table, wide, pool_len, n - 1)[1] != pool_len:
        raise FormatError(name + ": does not span its pool")


# ---- The index --------------------------------------------------------------------------------

META, TYPES, ACC_DIR, ACC_PILOTS, ACC_REMAP, ACC_CODES = 1, 2, 3, 4, 5, 6
FWD_INDEX, FWD_POOL, KEY_DIR, KEY_PILOTS, KEY_REMAP, KEY_INDEX, KEY_POOL = 7, 8, 9, 10, 11, 12, 13
FWD_INDEX_WIDE, KEY_INDEX_WIDE = 14, 15
UNVERSIONED = "#unversioned:"


class Index:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.b = f.read()
        self._secs = {}
        self.sections = self._read_header_and_table()
        for sid in range(1, 16):
            if sid not in self.sections:
                raise FormatError("required section %d missing" % sid)
        self.meta = self._read_meta()
        self.types = self._read_types()
        self.type_id = {t["name"]: i for i, t in enumerate(self.types)}
        self.acc = Mphf("ACC_DIR", self.sec(ACC_DIR), self.sec(ACC_PILOTS), self.sec(ACC_REMAP))
        self.key = Mphf("KEY_DIR", self.sec(KEY_DIR), self.sec(KEY_PILOTS), self.sec(KEY_REMAP))
        self.n_acc, self.n_key = self.acc.nkeys, self.key.nkeys
        if len(self.sec(ACC_CODES)) != 8 * self.n_acc:
            raise FormatError("ACC_CODES: length is not 8 x n_acc")
        ot_check(ENDS16, "FWD_INDEX", self.sec(FWD_INDEX), self.sec(FWD_INDEX_WIDE),
                 len(self.sec(FWD_POOL)), self.n_acc)
        ot_check(LENS8, "KEY_INDEX", self.sec(KEY_INDEX), self.sec(KEY_INDEX_WIDE),
                 len(self.sec(KEY_POOL)), self.n_key)

    def sec(self, sid):
        """The bytes of section sid, copied out of the file once."""
        if sid not in self._secs:
            off, length = self.sections[sid]
            self._secs[sid] = self.b[off:off + length]
        return self._secs[sid]

    def _read_header_and_table(self):
        b = self.b
        if len(b) < 64 or b[0:8] != b"IDMAPIDX":
            raise FormatError("header: not an idmap index")
        if u32(b, 8) != 6:
            raise FormatError("header: format version %d, not 6" % u32(b, 8))
        if zlib.crc32(b[0:60]) != u32(b, 60):
            raise FormatError("header: CRC mismatch")
        if u32(b, 12) != 0 or any(b[40:60]):
            raise FormatError("header: reserved fields not zero")
        if u64(b, 16) != len(b):
            raise FormatError("header: file size differs from the file's")
        table, count = u64(b, 24), u32(b, 32)
        if not (1 <= count <= 1024 and table >= 64 and table % 64 == 0
                and table + 32 * count <= len(b)):
            raise FormatError("header: section table outside the file")
        if zlib.crc32(b[table:table + 32 * count]) != u32(b, 36):
            raise FormatError("section table: CRC mismatch")
        sections, used = {}, [(table, table + 32 * count)]
        for i in range(count):
            e = table + 32 * i
            sid, flags, off, length, crc, reserved = struct.unpack_from("<IIQQII", b, e)
            if flags or reserved:
                raise FormatError("section table: reserved fields not zero")
            if off < 64 or off % 64 or off + length > len(b):
                raise FormatError("section table: section %d outside the file" % sid)
            if sid in sections:
                raise FormatError("section table: section %d twice" % sid)
            if zlib.crc32(b[off:off + length]) != crc:
                raise FormatError("section %d: CRC mismatch" % sid)
            if length:
                used.append((off, off + length))
            sections[sid] = (off, length)  # unknown ids too: they are skipped, not refused
        used.sort()
        for (_, end), (start, _) in zip(used, used[1:]):
            if end > start:
                raise FormatError("section table: sections overlap")
        return sections

    def _read_meta(self):
        meta = []
        for line in self.sec(META).decode("utf-8").split("\n")[:-1]:
            key, value = line.split("\t", 1)
            meta.append((key, value))
        return meta

    def _read_types(self):
        s = self.sec(TYPES)
        count = u32(s, 0)
        if u32(s, 4) != 0 or count > 65536:
            raise FormatError("TYPES: bad header")
        types, pos = [], 8
        for _ in range(count):
            pairs, keys, name_len = u64(s, pos), u64(s, pos + 8), u16(s, pos + 16)
            name = s[pos + 18:pos + 18 + name_len]
            if not 1 <= name_len <= 80 or len(name) != name_len or \
                    any(c < 0x21 or c > 0x7E for c in name):
                raise FormatError("TYPES: bad name")
            types.append(dict(name=name.decode("ascii"), pairs=pairs, keys=keys))
            pos += 18 + name_len
        if pos != len(s) or len({t["name"] for t in types}) != count:
            raise FormatError("TYPES: records do not fill the section, or names repeat")
        return types

    # ---- records ----

    def acc_code(self, slot):
        return u64(self.sec(ACC_CODES), 8 * slot)

    def forward_record(self, slot):
        """[(type id, [key slots])] of accession slot."""
        pool = self.sec(FWD_POOL)
        pos, end = ot_record(ENDS16, self.sec(FWD_INDEX), self.sec(FWD_INDEX_WIDE), len(pool),
                             slot)
        if pos == end:  # an empty record: no groups
            return []
        groups, pos = varint(pool, pos, end)
        out = []
        for _ in range(groups):
            head, pos = varint(pool, pos, end)
            type_id, count = head >> 1, 1
            if not head & 1:
                count, pos = varint(pool, pos, end)
                if count < 2:
                    raise FormatError("FWD_POOL: a group of %d keys not marked single" % count)
            width = slot_width(self.n_key)
            if pos + count * width > end:
                raise FormatError("FWD_POOL: key slots run past the record")
            slots = [int.from_bytes(pool[pos + width * i:pos + width * (i + 1)], "little")
                     for i in range(count)]
            pos += count * width
            if any(b <= a for a, b in zip(slots, slots[1:])):
                raise FormatError("FWD_POOL: key slots do not increase")
            out.append((type_id, slots))
        if pos != end:
            raise FormatError("FWD_POOL: bytes after the last group")
        return out

    def key_record(self, slot):
        """(type id, value bytes (decoded), [accession slots]) of key slot."""
        pool = self.sec(KEY_POOL)
        pos, end = ot_record(LENS8, self.sec(KEY_INDEX), self.sec(KEY_INDEX_WIDE), len(pool),
                             slot)
        head, pos = varint(pool, pos, end)
        type_id = head >> 1
        if type_id >= len(self.types):
            raise FormatError("KEY_POOL: type id out of range")
        value, pos = vdecode(coding_of(self.types[type_id]["name"]), pool, pos, end)
        count = 1
        if not head & 1:
            count, pos = varint(pool, pos, end)
            if count == 1:
                raise FormatError("KEY_POOL: a single posting not marked single")
        accs = []
        for i in range(count):
            d, pos = varint(pool, pos, end)
            accs.append(d if i == 0 else accs[-1] + d)
        if pos != end:
            raise FormatError("KEY_POOL: bytes after the postings")
        if isinstance(value, Member):
            if count != 1 or accs[0] >= self.n_acc:
                raise FormatError("KEY_POOL: a member value in a record of several accessions")
            value = value.text(self.acc_code(accs[0]))
            if not 1 <= len(value) <= 1024:
                raise FormatError("KEY_POOL: value out of bounds")
        return type_id, value, accs

    # ---- lookups ----

    def acc_slot(self, text):
        """The slot of an accession or UPI, or None (neither, or not in the index)."""
        code = acc_encode(text) or upi_encode(text)
        if code is None:
            return None
        slot = self.acc.query(hash_acc(code, self.acc.seed))
        if slot is None or slot >= self.n_acc or self.acc_code(slot) != code:
            return None
        return slot

    def key_slot(self, type_name, value):
        """The slot of the key (type, value), or None."""
        if type_name not in self.type_id or not value:
            return None
        t = self.type_id[type_name]
        slot = self.key.query(hash_key(t, value, self.key.seed))
        if slot is None or slot >= self.n_key:
            return None
        stored_type, stored_value, _ = self.key_record(slot)
        return slot if (stored_type, stored_value) == (t, value) else None

    def forward(self, accession):
        """[(type name, value bytes)] of an accession: groups in type id order, values in key
        slot order (arbitrary); [] when the accession is not in the index."""
        slot = self.acc_slot(accession)
        if slot is None:
            return []
        return [(self.types[t]["name"], self.key_record(k)[1])
                for t, keys in self.forward_record(slot) for k in keys]

    def reverse(self, type_name, value):
        """Accession texts of the key (type, value), sorted by accession code. An unversioned
        value also finds the versioned ones of its stem (#unversioned:TYPE)."""
        slots = set()
        for name in (type_name, UNVERSIONED + type_name):
            k = self.key_slot(name, value)
            if k is not None:
                slots.update(self.key_record(k)[2])
        return [acc_decode(c) for c in sorted(self.acc_code(s) for s in slots)]

    def accessions(self):
        """Every accession of the index, in slot order."""
        return [acc_decode(self.acc_code(s)) for s in range(self.n_acc)]


# ---- Known-answer vectors (FORMAT.md) -----------------------------------------------------------


CODED_VECTORS = [("GI", b"4507949"), ("GeneID", b"007"), ("GO", b"GO:0005515"),
                 ("UniParc", b"UPI0000000001"), ("UniParc", b"upi00000000ab"),
                 ("UniRef90", b"UniRef90_P31946"), ("UniRef50", b"UniRef50_A0A023GPI8-12"),
                 ("UniRef100", b"UniRef100_"), ("#secondary", b"P62258"), ("Gene_Name", b"TP53"),
                 ("UniProtKB-ID", b"1433B_HUMAN"), ("UniProtKB-ID", b"A0A023GPI8_CANAL"),
                 ("EMBL", b"AAA12345"),
                 ("RefSeq", b"NP_003395.1"), ("#unversioned:Ensembl", b"ENSG00000166913"),
                 ("Ensembl", b"ENSG00000166913.13"), ("GI", b"123456789012345678901")]


def vector_lines(index=None):
    """The lines of FORMAT.md's known-answer vectors that this reader computes: the format's
    functions, and with index (the bundled sample) its seeds, one accession and one key."""
    out = []
    for text in ("P31946", "P31946-2", "A0A023GPI8-12"):
        out.append("code(%s) = 0x%016x" % (text, acc_encode(text)))
    for data, seed in ((b"", 0), (b"7529", 0), (b"NP_003395.1", 0),
                       (b"ENSG00000166913.13", 0x0123456789ABCDEF)):
        hi, lo = hash128(data, seed)
        out.append('H("%s", %d, 0x%016x) = hi 0x%016x lo 0x%016x'
                   % (data.decode(), len(data), seed, hi, lo))
    for type_name, value in CODED_VECTORS:
        coding = coding_of(type_name)
        coded = vencode(coding, value)
        back, end = vdecode(coding, coded, 0, len(coded))
        if (back, end) != (value, len(coded)):
            raise FormatError("value coding of %r does not decode back" % value)
        out.append('coded(%s, "%s") = %s' % (type_name, value.decode(), coded.hex(" ")))
    if index is None:
        return out
    out.append("acc_seed = 0x%016x" % index.acc.seed)
    out.append("key_seed = 0x%016x" % index.key.seed)
    code = acc_encode("P31946")
    h = hash_acc(code, index.acc.seed)
    trace = {}
    index.acc.query(h, trace)
    out.append("accession P31946: hi 0x%016x lo 0x%016x" % h)
    out.append("  " + _trace_text(trace))
    t = index.type_id["GeneID"]
    h = hash_key(t, b"7529", index.key.seed)
    trace = {}
    slot = index.key.query(h, trace)
    out.append("key (GeneID = type %d, 7529): hi 0x%016x lo 0x%016x" % ((t,) + h))
    out.append("  " + _trace_text(trace))
    pool = index.sec(KEY_POOL)
    start, end = ot_record(LENS8, index.sec(KEY_INDEX), index.sec(KEY_INDEX_WIDE), len(pool),
                           slot)
    out.append("  KEY_POOL record: " + pool[start:end].hex(" "))
    return out


def _trace_text(t):
    return ("file %(file)d, partition %(partition)d (n %(n)d, part_seed %(part_seed)d), "
            "bucket %(bucket)d, pilot %(pilot)d, position %(position)d, slot %(slot)d" % t)


def check_vectors(format_md, index=None):
    """Returns the vector lines missing from FORMAT.md's known-answer section (none: [])."""
    with open(format_md, encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Known-answer vectors", 1)[-1]
    block = set(line.rstrip() for line in section.split("```")[1].split("\n"))
    return [line for line in vector_lines(index) if line not in block]


def main(argv):
    if len(argv) >= 3 and argv[1] == "--vectors":
        index = Index(argv[3]) if len(argv) > 3 else None
        missing = check_vectors(argv[2], index)
        for line in missing:
            print("not in FORMAT.md:", line)
        return 1 if missing else 0
    if len(argv) < 4 or argv[2] not in ("fwd", "rev"):
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
        return 2
    ix = Index(argv[1])
    if argv[2] == "fwd":
        for acc in argv[3:]:
            for name, value in ix.forward(acc):
                print("%s\t%s\t%s" % (acc, name, value.decode()))
    else:
        for value in argv[4:]:
            for acc in ix.reverse(argv[3], value.encode()):
                print("%s\t%s" % (value, acc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
