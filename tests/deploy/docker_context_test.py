"""The Dockerfile's build stage, without Docker: copies the build context as
.dockerignore leaves it, then configures it with the Dockerfile's own cmake
command line, so a file the build needs but the context leaves out, or a
CMake option the build stage relies on, fails here rather than in a first
`docker build`. Compiling is left to the other tests' build.

usage: docker_context_test.py SOURCE_DIR
"""
import fnmatch
import os
import re
import shlex
import shutil
import sys
import tempfile

from deploy_check import Checks, run

source = os.path.realpath(sys.argv[1])
c = Checks("docker-context")

with open(os.path.join(source, ".dockerignore"), encoding="utf-8") as f:
    patterns = [line.strip() for line in f if line.strip() and not line.startswith("#")]
c.check(not [p for p in patterns if p.startswith("!")], "no exception patterns (this copy does not handle them)")


def ignored(rel):
    # Docker matches each pattern against the path from the context root;
    # "**/" matches any number of directories, and a directory's match
    # covers everything under it.
    for p in patterns:
        if fnmatch.fnmatchcase(rel, p) or (p.startswith("**/") and fnmatch.fnmatchcase(os.path.basename(rel), p[3:])):
            return True
    return False


with open(os.path.join(source, "Dockerfile"), encoding="utf-8") as f:
    dockerfile = re.sub(r"\\\n", " ", f.read())
configure = re.search(r"(cmake -S \S+ -B \S+[^&]*)", dockerfile)
c.check(configure is not None, "the Dockerfile configures with cmake -S . -B build")
copies = re.findall(r"^COPY (?!--from)(\S+) (\S+)$", dockerfile, re.M)
c.check(("." , ".") in copies, "the build stage copies the whole context (COPY . .)")

with tempfile.TemporaryDirectory() as tmp:
    context = os.path.join(tmp, "src")
    for root, dirs, files in os.walk(source):
        rel_root = os.path.relpath(root, source)
        dirs[:] = [d for d in dirs if not ignored(os.path.normpath(os.path.join(rel_root, d)))]
        for name in files:
            rel = os.path.normpath(os.path.join(rel_root, name))
            if not ignored(rel):
                os.makedirs(os.path.join(context, rel_root), exist_ok=True)
                shutil.copy2(os.path.join(source, rel), os.path.join(context, rel))
    # Files the runtime stage copies from the context must be in it.
    for src, _ in copies:
        if src != ".":
            c.check(os.path.exists(os.path.join(context, src)), f"the context holds {src}")
    c.check(not os.path.exists(os.path.join(context, ".git")), "the context leaves out .git")
    # What `cmake --install` copies is read at install time, after the
    # configure step below: every such path must be in the context too.
    with open(os.path.join(source, "deploy", "CMakeLists.txt"), encoding="utf-8") as f:
        installed = re.findall(r"\$\{PROJECT_SOURCE_DIR\}/(\S+?)/?(?=\s|\))", f.read())
    c.check(len(installed) >= 5, f"install rules name their files: {installed}")
    for rel in installed:
        c.check(os.path.exists(os.path.join(context, rel)), f"the context holds {rel}, which the install copies")
    if configure:
        args = shlex.split(configure.group(1))
        code, out, err = run(args, cwd=context)
        c.check(code == 0, f"{configure.group(1).strip()} in the context: {err.strip()[-1500:]}")
        install_script = os.path.join(context, "build", "cmake_install.cmake")
        c.check(os.path.exists(install_script), "the configured build has install rules")
        c.check(not os.path.exists(os.path.join(context, "build", "tests")), "the image's build has no tests")

c.finish()
