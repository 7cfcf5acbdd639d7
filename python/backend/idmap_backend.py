"""The build backend of the idmap binding (PEP 517 hooks, PEP 660 for editable installs), in the
standard library only, so that `pip install ./python` needs nothing from a package index: build
isolation installs pyproject.toml's empty `requires`, then pip calls these hooks in a
subprocess whose working directory is python/.

The wheel (PEP 427) is pure Python: idmap/ and NAME-VERSION.dist-info/ holding METADATA (core
metadata 2.1 from pyproject's [project] table), WHEEL, top_level.txt and RECORD (sha256 of each
file). The version is VERSION in idmap/_lib.py, read without importing the package (importing
it loads libidmap.so)."""
import ast
import base64
import csv
import gzip
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile
from pathlib import Path

PACKAGE = "idmap"
VERSION_FILE = Path(PACKAGE, "_lib.py")
TAG = "py3-none-any"
# what the sdist carries besides the package and PKG-INFO
SDIST_FILES = ("pyproject.toml", "README.md", "backend/idmap_backend.py", "backend/minitoml.py")
# the [project] keys METADATA is written from; another one is an error, not silently dropped
PROJECT_KEYS = {"name", "version", "dynamic", "description", "readme", "license",
                "requires-python", "dependencies", "optional-dependencies"}
README_TYPES = {".md": "text/markdown", ".rst": "text/x-rst"}


def _project():
    text = Path("pyproject.toml").read_text(encoding="utf-8")
    try:
        from tomllib import loads
    except ImportError:  # Python < 3.11
        from minitoml import loads
    project = loads(text)["project"]
    unknown = sorted(set(project) - PROJECT_KEYS)
    if unknown:
        raise ValueError("pyproject.toml: [project] %s: not supported by backend/idmap_backend.py"
                         % ", ".join(unknown))
    if "version" in project.get("dynamic", ()):
        project["version"] = _version()
    return project


def _version():
    tree = ast.parse(VERSION_FILE.read_text(encoding="utf-8"))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == "VERSION"
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    raise ValueError("%s: no VERSION = \"...\"" % VERSION_FILE)


def _dist_name(project):
    """The name as wheel and sdist file names spell it (normalized, '-' to '_')."""
    return re.sub(r"[-_.]+", "_", project["name"]).lower()


def _metadata(project):
    """METADATA (and the sdist's PKG-INFO): core metadata 2.1."""
    lines = ["Metadata-Version: 2.1", "Name: " + project["name"],
             "Version: " + project["version"]]
    if "description" in project:
        lines.append("Summary: " + project["description"])
    license_ = project.get("license", {})
    if "text" in license_:
        lines.append("License: " + license_["text"])
    if "requires-python" in project:
        lines.append("Requires-Python: " + project["requires-python"])
    lines += ["Requires-Dist: " + dep for dep in project.get("dependencies", ())]
    for extra, deps in project.get("optional-dependencies", {}).items():
        lines.append("Provides-Extra: " + extra)
        for dep in deps:
            req, _, marker = dep.partition(";")
            marker = "(%s) and " % marker.strip() if marker.strip() else ""
            lines.append('Requires-Dist: %s; %sextra == "%s"' % (req.strip(), marker, extra))
    body = ""
    if "readme" in project:
        readme = Path(project["readme"])
        lines.append("Description-Content-Type: "
                     + README_TYPES.get(readme.suffix.lower(), "text/plain"))
        body = "\n" + readme.read_text(encoding="utf-8")
    return ("\n".join(lines) + "\n" + body).encode("utf-8")


def _dist_info(project):
    """The .dist-info directory's name and files, RECORD aside."""
    name = "%s-%s.dist-info" % (_dist_name(project), project["version"])
    wheel = "Wheel-Version: 1.0\nGenerator: idmap_backend\nRoot-Is-Purelib: true\nTag: %s\n" % TAG
    return name, [("METADATA", _metadata(project)), ("WHEEL", wheel.encode()),
                  ("top_level.txt", (PACKAGE + "\n").encode())]


def _package_files():
    """The package's files, sorted, without bytecode caches."""
    return sorted(p for p in Path(PACKAGE).rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))


def _timestamp():
    """SOURCE_DATE_EPOCH when set, else zip's earliest date: the same sources give the same
    bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return max(int(epoch), 315532800) if epoch else 315532800  # 1980-01-01


def _record_row(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [arcname, "sha256=" + digest, str(len(data))]


def _write_wheel(wheel_directory, files):
    """Writes NAME-VERSION-TAG.whl of files [(arcname, bytes)] plus the .dist-info, whose RECORD
    comes last; returns its file name."""
    project = _project()
    dist_info, meta = _dist_info(project)
    files = list(files) + [(dist_info + "/" + name, data) for name, data in meta]
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    writer.writerows(_record_row(arcname, data) for arcname, data in files)
    writer.writerow([dist_info + "/RECORD", "", ""])
    files.append((dist_info + "/RECORD", record.getvalue().encode()))
    name = "%s-%s-%s.whl" % (_dist_name(project), project["version"], TAG)
    stamp = time.gmtime(_timestamp())[:6]
    with zipfile.ZipFile(Path(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as whl:
        for arcname, data in files:
            info = zipfile.ZipInfo(arcname, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            whl.writestr(info, data)
    return name


def _prepare_metadata(metadata_directory):
    dist_info, meta = _dist_info(_project())
    Path(metadata_directory, dist_info).mkdir(parents=True, exist_ok=True)
    for name, data in meta:
        Path(metadata_directory, dist_info, name).write_bytes(data)
    return dist_info


# PEP 517 hooks (config_settings are accepted and ignored; nothing to configure)

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory,
                        [(p.as_posix(), p.read_bytes()) for p in _package_files()])


def build_sdist(sdist_directory, config_settings=None):
    """NAME-VERSION.tar.gz: NAME-VERSION/ holding PKG-INFO, pyproject.toml, the backend, the
    README and the package, so that a wheel builds from it alone."""
    project = _project()
    base = "%s-%s" % (_dist_name(project), project["version"])
    files = [("PKG-INFO", _metadata(project))]
    files += [(p.as_posix(), p.read_bytes()) for p in map(Path, SDIST_FILES)]
    files += [(p.as_posix(), p.read_bytes()) for p in _package_files()]
    stamp = _timestamp()
    name = base + ".tar.gz"
    with open(Path(sdist_directory, name), "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=stamp) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for arcname, data in sorted(files):
            info = tarfile.TarInfo(base + "/" + arcname)
            info.size, info.mtime, info.mode = len(data), stamp, 0o644
            tar.addfile(info, io.BytesIO(data))
    return name


# PEP 660: an editable install is a wheel whose .pth file puts this directory on sys.path.

def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    pth = (str(Path.cwd().resolve()) + "\n").encode()
    return _write_wheel(wheel_directory, [("_%s_editable.pth" % PACKAGE, pth)])
