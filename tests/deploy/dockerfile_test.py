"""Checks the Dockerfile: two linters from npm (dockerfile-utils,
dockerfilelint), then what the image promises: Debian bookworm in both
stages, the build stage apt-gets the -dev packages of deploy/setup.sh, the
runtime stage installs the package of every shared library the built
binary needs and nothing else (no -dev), a non-root user, a health check on
/healthz, the state directory as a volume, 0.0.0.0 as listen address.

usage: dockerfile_test.py SOURCE_DIR CRMSTREAM_BINARY
"""
import os
import re
import shlex
import sys

from deploy_check import Checks, require_node_modules, run

source, binary = sys.argv[1:3]
here = os.path.dirname(os.path.abspath(__file__))
dockerfile = os.path.join(source, "Dockerfile")
bin_dir = os.path.join(here, "node_modules", ".bin")
c = Checks("dockerfile")
require_node_modules(c, here)

# The linters. dockerfile-utils exits 0 on warnings, so any output fails.
code, out, err = run([os.path.join(bin_dir, "dockerfile-utils"), "lint", dockerfile])
c.check(code == 0 and not out.strip() and not err.strip(), f"dockerfile-utils lint: {out}{err}")
code, out, err = run([os.path.join(bin_dir, "dockerfilelint"), "-c", here, dockerfile])
c.check(code == 0, f"dockerfilelint: {out}{err}")

# Instructions, continuation lines joined, grouped by stage.
with open(dockerfile, encoding="utf-8") as f:
    text = re.sub(r"\\\n", " ", f.read())
stages = []
for line in text.splitlines():
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    word, _, rest = line.partition(" ")
    if word.upper() == "FROM":
        stages.append([])
    if stages:
        stages[-1].append((word.upper(), rest.strip()))
c.check(len(stages) == 2, f"two stages (build, runtime), found {len(stages)}")
if len(stages) != 2:
    c.finish()
build, runtime = stages
for name, stage in (("build", build), ("runtime", runtime)):
    c.check(re.match(r"debian:bookworm(-slim)?(@|\s|$)", stage[0][1]) is not None,
            f"{name} stage is Debian bookworm: {stage[0][1]}")


def apt_packages(stage):
    packages = set()
    for word, rest in stage:
        if word != "RUN":
            continue
        for command in re.split(r"&&|;", rest):
            args = shlex.split(command)
            if "apt-get" in args and "install" in args:
                packages.update(a for a in args[args.index("install") + 1:] if not a.startswith("-"))
    return packages


# Build stage: the -dev packages setup.sh installs for a build.
with open(os.path.join(source, "deploy", "setup.sh"), encoding="utf-8") as f:
    setup = f.read()
block = re.search(r"^PACKAGES=\((.*?)^\)", setup, re.S | re.M)
c.check(block is not None, "setup.sh has a PACKAGES list")
setup_packages = set(re.sub(r"#.*", "", block.group(1)).split()) if block else set()
test_only = {"libgtest-dev", "libgmock-dev", "libbenchmark-dev", "kcat"}
needed_for_build = {p for p in setup_packages if p.endswith("-dev")} - test_only
build_packages = apt_packages(build)
c.check(needed_for_build and needed_for_build <= build_packages,
        f"build stage installs setup.sh's -dev packages; missing {sorted(needed_for_build - build_packages)}")
c.check({"cmake", "build-essential"} <= build_packages, "build stage installs cmake and build-essential")
build_runs = " ".join(rest for word, rest in build if word == "RUN")
c.check("-DCRM_BUILD_TESTS=OFF" in build_runs and "cmake --install" in build_runs,
        "build stage builds without tests and installs with cmake --install")

# Runtime stage: the package of every NEEDED library of the built binary.
runtime_packages = apt_packages(runtime)
c.check(not [p for p in runtime_packages if p.endswith("-dev")], "runtime stage has no -dev package")
code, out, err = run(["readelf", "-d", binary])
c.check(code == 0, f"readelf -d {binary}: {err}")
needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)
c.check(len(needed) > 3, f"the binary's NEEDED entries: {needed}")
in_base_image = {"libc6", "libgcc-s1", "libstdc++6"}  # every Debian image has these
providers = set()
for lib in needed:
    code, out, err = run(["dpkg", "-S", f"*/{lib}"])
    owners = {line.split(":")[0] for line in out.splitlines() if ":" in line}
    c.check(code == 0 and owners, f"a Debian package provides {lib}")
    providers |= owners
    if owners and not owners & in_base_image:
        c.check(owners & runtime_packages, f"runtime stage installs {lib} ({' or '.join(sorted(owners))})")
extra = runtime_packages - providers - {"ca-certificates"}
c.check(not extra, f"runtime stage installs only what the binary needs; not needed: {sorted(extra)}")

# Non-root, health check, volume, listen address, entry point.
last = {}
for word, rest in runtime:
    last.setdefault(word, []).append(rest)
user = last.get("USER", ["root"])[-1].split(":")[0]
c.check(user not in ("root", "0"), f"runtime runs as a non-root user ({user})")
health = " ".join(last.get("HEALTHCHECK", []))
c.check("CMD" in health, "a HEALTHCHECK with a command")
script = os.path.join(source, "deploy", "docker", "healthcheck.sh")
copies = " ".join(last.get("COPY", []))
c.check("deploy/docker/healthcheck.sh" in copies and os.access(script, os.X_OK),
        "the health check script is copied into the image and executable")
with open(script, encoding="utf-8") as f:
    c.check("/healthz" in f.read(), "the health check asks /healthz")
c.check(any("/var/lib/crmstream" in v for v in last.get("VOLUME", [])), "the state directory is a VOLUME")
env = " ".join(last.get("ENV", []))
c.check("CRMSTREAM_HTTP_LISTEN_ADDRESS=0.0.0.0" in env, "listens on 0.0.0.0 in the container")
c.check("CRMSTREAM_CONFIG=/etc/crmstream/crmstream.toml" in env and "/etc/crmstream/crmstream.toml" in copies,
        "the default config is in the image and named by CRMSTREAM_CONFIG")
c.check("9464" in " ".join(last.get("EXPOSE", [])), "exposes the HTTP port")
c.check(last.get("ENTRYPOINT") and "crmstream" in last["ENTRYPOINT"][-1], "the entry point is crmstream")

# The context: no build trees or VCS data sent to the daemon.
with open(os.path.join(source, ".dockerignore"), encoding="utf-8") as f:
    ignored = {line.strip() for line in f if line.strip() and not line.startswith("#")}
c.check({".git", "build", "build-*", "**/node_modules"} <= ignored, ".dockerignore leaves out .git, builds, node_modules")

c.finish()
