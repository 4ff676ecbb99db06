#!/bin/bash
# `cmake --install` into a temporary DESTDIR and prefix: the binary, the
# default config, the alert rules, the Grafana files and the docs are where
# deploy/CMakeLists.txt says, and the installed binary runs.
# usage: install_test.sh BUILD_DIR SOURCE_DIR
set -u
build_dir=$1 source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=/opt/crmstream
root="$work/root$prefix"
passed=0 failed=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL install: $what"; fi
}

if ! DESTDIR="$work/root" cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1; then
  cat "$work/install.log"; echo "install: 0 passed, 1 failed"; exit 1
fi
check "bin/crmstream is executable" test -x "$root/bin/crmstream"
check "etc/crmstream/crmstream.toml is the default config" \
  cmp -s "$root/etc/crmstream/crmstream.toml" "$source_dir/config/crmstream.toml"
check "share/crmstream/prometheus/crmstream-rules.yml" \
  cmp -s "$root/share/crmstream/prometheus/crmstream-rules.yml" "$source_dir/deploy/prometheus/crmstream-rules.yml"
check "Grafana provisioning installed" test -f "$root/share/crmstream/grafana/provisioning/datasources/prometheus.yml"
# The dashboard is installed with the folder whenever the source has it.
for dashboard in "$source_dir"/deploy/grafana/dashboards/*.json; do
  [ -e "$dashboard" ] || continue
  check "dashboard $(basename "$dashboard") installed" \
    cmp -s "$root/share/crmstream/grafana/dashboards/$(basename "$dashboard")" "$dashboard"
done
check "share/doc/crmstream/README.md" test -f "$root/share/doc/crmstream/README.md"
check "share/doc/crmstream/configuration.md" test -f "$root/share/doc/crmstream/configuration.md"
check "share/doc/crmstream/docs/deploying.md" test -f "$root/share/doc/crmstream/docs/deploying.md"
for doc in "$source_dir"/docs/*.md; do
  check "docs/$(basename "$doc") installed" test -f "$root/share/doc/crmstream/docs/$(basename "$doc")"
done
check "nothing installed outside the prefix" test -z "$(cd "$work/root" && find . -mindepth 1 -maxdepth 1 ! -name opt)"

version=$("$root/bin/crmstream" --version 2>&1)
check "installed crmstream --version runs ($version)" grep -q '^crmstream [0-9]' <<<"$version"
check "installed crmstream --help lists run" grep -q ' run ' <<<"$("$root/bin/crmstream" --help 2>&1)"
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
