#!/usr/bin/env bash
# Build the real control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok) from Go modules into a cache outside the checkout:
#
#   ${MLKUBE_CACHE:-$HOME/.cache/mlkube}/kubecluster/<KUBERNETES_VERSION>/bin/
#
# Idempotent: the cache is keyed by VERSION, the go.mod/go.sum of the three build
# modules (k8s/, etcd/, kwok/) and the build recipe below; a binary is rebuilt only
# when that key changes (or the binary is missing). Safe to run concurrently (flock).
# Prints the bin directory as its last line of stdout; progress goes to stderr.
#
# Environment: MLKUBE_CACHE (cache root), GOCACHE/GOMODCACHE (Go's own caches, kept
# between runs by Go), MLKUBE_BUILD_FORCE=1 (rebuild everything).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source <(grep -E '^[A-Z_]+=' "$here/VERSION")
: "${KUBERNETES_VERSION:?VERSION lacks KUBERNETES_VERSION}" "${ETCD_VERSION:?}" "${KWOK_VERSION:?}"

log() { printf '[kubecluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null || die "go is not on PATH (needs Go >= 1.26)"
gov="$(go env GOVERSION)"
case "$gov" in
  go1.2[6-9]* | go1.[3-9][0-9]*) ;;
  *) die "Go $gov is too old: the pinned modules declare go 1.26.0" ;;
esac

# The go.mod files must agree with VERSION (pin.sh writes both).
grep -Eq "^(require)?[[:space:]]*k8s.io/kubernetes ${KUBERNETES_VERSION}( // indirect)?\$" "$here/k8s/go.mod" \
  || die "k8s/go.mod does not require k8s.io/kubernetes ${KUBERNETES_VERSION}: run ./pin.sh"
grep -Eq "^(require)?[[:space:]]*go.etcd.io/etcd/server/v3 ${ETCD_VERSION}( // indirect)?\$" "$here/etcd/go.mod" \
  || die "etcd/go.mod does not require go.etcd.io/etcd/server/v3 ${ETCD_VERSION}: run ./pin.sh"
grep -Eq "^(require)?[[:space:]]*sigs.k8s.io/kwok ${KWOK_VERSION}( // indirect)?\$" "$here/kwok/go.mod" \
  || die "kwok/go.mod does not require sigs.k8s.io/kwok ${KWOK_VERSION}: run ./pin.sh"

export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"

kv="${KUBERNETES_VERSION}"
minor="${kv#v1.}"; minor="${minor%%.*}"
# buildDate: the release's own timestamp from the module proxy (reproducible builds).
build_date="1970-01-01T00:00:00Z"

# Version stamping (reference §3.6): the same keys in component-base and client-go.
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X ${pkg}.gitVersion=${kv} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
  k8s_ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.gitCommit="
  k8s_ldflags+=" -X ${pkg}.buildDate=@BUILD_DATE@"
done
etcd_ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=${ETCD_VERSION}"
kwok_ldflags="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
k8s_tags="selinux,notest,grpcnotrace"
recipe="trimpath|${k8s_tags}|${k8s_ldflags}|${etcd_ldflags}|${kwok_ldflags}|cgo=${CGO_ENABLED}"

key="$(
  {
    printf '%s\n' "$recipe" "$gov"
    cat "$here/VERSION"
    for d in k8s etcd kwok; do cat "$here/$d/go.mod" "$here/$d/go.sum"; done
  } | sha256sum | cut -c1-16
)"

cache_root="${MLKUBE_CACHE:-$HOME/.cache/mlkube}/kubecluster/${kv}"
bin="$cache_root/bin"
mkdir -p "$bin"
exec 9>"$cache_root/.lock"
if ! flock -n 9; then
  log "another build.sh holds $cache_root/.lock; waiting"
  flock 9
fi

# name|module dir|package|tags|ldflags
targets=(
  "etcd|etcd|go.etcd.io/etcd/server/v3||${etcd_ldflags}"
  "kube-apiserver|k8s|k8s.io/kubernetes/cmd/kube-apiserver|${k8s_tags}|${k8s_ldflags}"
  "kube-controller-manager|k8s|k8s.io/kubernetes/cmd/kube-controller-manager|${k8s_tags}|${k8s_ldflags}"
  "kube-scheduler|k8s|k8s.io/kubernetes/cmd/kube-scheduler|${k8s_tags}|${k8s_ldflags}"
  "kwok|kwok|sigs.k8s.io/kwok/cmd/kwok||${kwok_ldflags}"
)

up_to_date() { [[ -x "$bin/$1" && -f "$bin/.$1.key" && "$(cat "$bin/.$1.key")" == "$key" ]]; }

todo=()
for t in "${targets[@]}"; do
  name="${t%%|*}"
  if [[ "${MLKUBE_BUILD_FORCE:-0}" != 1 ]] && up_to_date "$name"; then continue; fi
  todo+=("$t")
done
if ((${#todo[@]} == 0)); then
  log "up to date: $bin (key $key)"
  echo "$bin"
  exit 0
fi

download() { # $1 = module dir; retried once on (transient) failure
  local d="$1"
  (cd "$here/$d" && go mod download) && return 0
  log "go mod download in $d/ failed; retrying once in 10s"
  sleep 10
  (cd "$here/$d" && go mod download)
}

declare -A downloaded=()
t_all=$SECONDS
for t in "${todo[@]}"; do
  IFS='|' read -r name dir pkg tags ldflags <<<"$t"
  if [[ -z "${downloaded[$dir]:-}" ]]; then
    log "downloading modules for $dir/ ..."
    t0=$SECONDS
    download "$dir" || die "go mod download failed in $dir/"
    log "downloaded $dir/ in $((SECONDS - t0))s"
    downloaded[$dir]=1
  fi
  if [[ "$dir" == k8s ]]; then
    info="$(cd "$here/k8s" && go mod download -json "k8s.io/kubernetes@${kv}" | sed -n 's/.*"Info": "\(.*\)".*/\1/p')"
    if [[ -n "$info" && -f "$info" ]]; then
      build_date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info")"
      : "${build_date:=1970-01-01T00:00:00Z}"
    fi
    ldflags="${ldflags//@BUILD_DATE@/$build_date}"
  fi
  log "building $name ($pkg) ..."
  t0=$SECONDS
  rm -f "$bin/.$name.key" "$bin/$name.tmp"
  (
    cd "$here/$dir"
    go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$bin/$name.tmp" "$pkg"
  ) || die "go build of $name failed"
  mv -f "$bin/$name.tmp" "$bin/$name"
  echo "$key" >"$bin/.$name.key"
  log "built $name in $((SECONDS - t0))s ($(du -h "$bin/$name" | cut -f1))"
done
log "all built in $((SECONDS - t_all))s: $bin"
echo "$bin"
