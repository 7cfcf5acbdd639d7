#!/usr/bin/env python3
"""python/backend/minitoml.py, the TOML reader the build backend uses on Pythons without tomllib
(< 3.11): it reads python/pyproject.toml and a sample of its subset as tomllib does, and refuses
what is beyond that subset with the line number rather than misreading it.

usage: minitoml_test.py ROOT"""
import sys
import tomllib
import unittest
from pathlib import Path

ROOT = Path(sys.argv.pop(1) if len(sys.argv) > 1 else ".")
sys.path.insert(0, str(ROOT / "python" / "backend"))
sys.dont_write_bytecode = True
import minitoml  # noqa: E402

SUBSET = '''# a comment
[project]
name = "idmap"  # trailing comment
"quoted key" = "a \\"#\\" and \\\\ in a string"
dynamic = ["version",]
license = {text = "MIT", n = -3, yes = true, no = false}
[project.optional-dependencies]
pandas = ["pandas", {nested = []}]
'''


class MiniToml(unittest.TestCase):
    def test_pyproject_as_tomllib(self):
        text = (ROOT / "python" / "pyproject.toml").read_text(encoding="utf-8")
        self.assertEqual(minitoml.loads(text), tomllib.loads(text))

    def test_subset_as_tomllib(self):
        self.assertEqual(minitoml.loads(SUBSET), tomllib.loads(SUBSET))

    def test_beyond_the_subset_refused_with_its_line(self):
        for text, line in (('a = "x"\nb = [\n  "y"]\n', 2), ("c = 'literal'\n", 1),
                           ('d = """x"""\n', 1), ("[[e]]\n", 1), ('f = "x" "y"\n', 1),
                           ("g = 1.5e3\n", 1), ('h = {i = "j"\n', 1), ("k.l = 1\n", 1),
                           ("m = {n.o = 1}\n", 1), ("p = 0x10\n", 1)):
            with self.subTest(text=text):
                with self.assertRaisesRegex(ValueError, r"^pyproject\.toml:%d: " % line):
                    minitoml.loads(text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
