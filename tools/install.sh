#!/usr/bin/env bash
# Installs the pinned toolchain (tools/versions.env) into the git-ignored .tools/ folder.
#
#   tools/install.sh            everything
#   tools/install.sh helm venv  only these (names: venv helm kubeconform actionlint eksctl schemas)
#   tools/install.sh e2e        the local control plane of the e2e tests (etcd kube kwok flux-controllers);
#                               heavy (Kubernetes from source), so never part of the default set
#
# Idempotent: a tool already at its pinned version is left alone, so a warm run costs well under
# a second. Builds go to a temporary folder first and are moved into place only when they succeed,
# so an interrupted run never leaves a half-built binary that looks installed.
# BIOMAGE_TOOLS_DIR relocates .tools/ (tests use it to build an empty or partial toolchain).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR=${BIOMAGE_TOOLS_DIR:-$ROOT/.tools}
BIN=$TOOLS_DIR/bin
# shellcheck source=versions.env
source "$ROOT/tools/versions.env"

# Never let `go` fetch a different toolchain behind our back: the pinned minimum is checked below.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

# schemas after eksctl: they include the ClusterConfig schema the pinned eksctl prints.
ALL=(venv helm kubeconform actionlint eksctl schemas)
E2E=(etcd kube kwok flux-controllers)
WANT=()
for t in "$@"; do
  if [ "$t" = e2e ]; then WANT+=("${E2E[@]}"); else WANT+=("$t"); fi
done
[ ${#WANT[@]} -gt 0 ] || WANT=("${ALL[@]}")
KNOWN=("${ALL[@]}" "${E2E[@]}")

say() { printf '%s\n' "$*" >&2; }
die() { say "tools/install.sh: $*"; exit 2; }

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
  case $1 in venv | schemas) ;; *)
    for exe in $(binaries_of "$1"); do [ -x "$BIN/$exe" ] || return 0; done ;;
  esac
  exe=$BIN/$1
  case $1 in
    helm) "$exe" version --template '{{.Version}}' 2>/dev/null ;;
    kubeconform) "$exe" -v 2>/dev/null ;;
    actionlint) "$exe" -version 2>/dev/null | head -n1 ;;
    eksctl) echo "v$("$exe" version 2>/dev/null)" ;;
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
  go mod download -json "$1" |
    python3 -c 'import json,sys;m=json.load(sys.stdin);print(m.get("Dir") or sys.exit("go mod download %s: %s" % (sys.argv[1], m.get("Error"))))' "$1"
}

# go_install PKG@VERSION LDFLAGS: build one binary into a scratch GOBIN, then move it into place.
go_install() {
  local scratch
  scratch=$(mktemp -d)
  GOBIN=$scratch go install -trimpath -ldflags "-s -w $2" "$1"
  mv "$scratch"/* "$BIN"/
  rmdir "$scratch"
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
  local module=github.com/weaveworks/eksctl scratch
  scratch=$(mktemp -d)
  unpack_module "$module@$EKSCTL_VERSION" "$scratch/src"
  # An empty PreReleaseID makes `eksctl version` print the plain release number.
  (cd "$scratch/src" && go build -trimpath \
    -ldflags "-s -w -X $module/pkg/version.PreReleaseID= -X $module/pkg/version.gitCommit=$EKSCTL_VERSION -X $module/pkg/version.buildDate=module-proxy" \
    -o "$scratch/eksctl" ./cmd/eksctl)
  mv "$scratch/eksctl" "$BIN/eksctl"
  rm -rf "$scratch"
}

# unpack_module MODULE@VERSION DEST: a writable copy of a module's source, for modules whose
# go.mod carries replace directives (which `go install module@version` refuses).
unpack_module() {
  local src
  src=$(module_dir "$1")
  cp -r "$src" "$2"
  chmod -R u+w "$2"
}

build_etcd() {
  # etcd's server module has replace directives too; a wrapper module requiring it builds the
  # `etcd` main package of the release without them.
  local scratch
  scratch=$(mktemp -d)
  (cd "$scratch" && go mod init biomage.local/etcd >/dev/null 2>&1 &&
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1 &&
    go build -trimpath -ldflags "-s -w" -o "$scratch/etcd" go.etcd.io/etcd/server/v3)
  mv "$scratch/etcd" "$BIN/etcd"
  rm -rf "$scratch"
}

build_kube() {
  # k8s.io/kubernetes replaces its staging modules (k8s.io/api, client-go, ...) with folders that
  # are not in its module zip: a wrapper module requires it and points every one of those at the
  # published staging module of the same release (v0.MINOR.PATCH), read from kubernetes' go.mod.
  local kubernetes scratch staging=v0${KUBERNETES_RELEASE#v1} module
  kubernetes=$(module_dir "k8s.io/kubernetes@$KUBERNETES_RELEASE")
  scratch=$(mktemp -d)
  (
    cd "$scratch"
    go mod init biomage.local/kube >/dev/null 2>&1
    go mod edit -require="k8s.io/kubernetes@$KUBERNETES_RELEASE"
    for module in $(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$kubernetes/go.mod"); do
      go mod edit -replace="$module=$module@$staging"
    done
    local v=k8s.io/component-base/version major=${KUBERNETES_RELEASE%%.*} minor
    minor=${KUBERNETES_RELEASE#*.}; minor=${minor%%.*}
    # The version stamps `--version` prints and the API server reports at /version.
    local flags="-s -w -X $v.gitVersion=$KUBERNETES_RELEASE -X $v.gitMajor=${major#v} -X $v.gitMinor=$minor"
    flags+=" -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
    go build -trimpath -ldflags "$flags" -o "$scratch/out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
  )
  mv "$scratch"/out/* "$BIN"/
  rm -rf "$scratch"
}

build_kwok() {
  local flags="-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBERNETES_RELEASE"
  go_install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "$flags"
  go_install "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION" "$flags"
  pinned_version kwok >"$BIN/.kwok.installed-from"
}

build_flux-controllers() {
  # Each controller's go.mod replaces its own api/ module with a folder the module zip lacks:
  # drop that replace so the published api module of the pinned version is used.
  local controller version scratch replace
  scratch=$(mktemp -d)
  for controller in source kustomize helm; do
    version=${controller^^}_CONTROLLER_VERSION
    unpack_module "github.com/fluxcd/$controller-controller@${!version}" "$scratch/$controller"
    (
      cd "$scratch/$controller"
      go mod edit -dropreplace="github.com/fluxcd/$controller-controller/api"
      for replace in ${FLUX_MODULE_REPLACES:-}; do
        grep -q "^[[:space:]]*${replace%%=*} " go.mod && go mod edit -replace="$replace"
      done
      go build -trimpath -ldflags "-s -w" -o "$scratch/out/$controller-controller" .
    ) || { rm -rf "$scratch"; die "building $controller-controller ${!version} failed (see above)"; }
  done
  mv "$scratch"/out/* "$BIN"/
  rm -rf "$scratch"
  pinned_version flux-controllers >"$BIN/.flux-controllers.installed-from"
}

build_schemas() {
  # Offline schemas for kubeconform (the check never fetches any): Kubernetes from the swagger in
  # k8s.io/kubernetes, Flux from its controllers' CRDs, the ClusterConfig from the pinned eksctl.
  [ -f "$ROOT/node_modules/js-yaml/package.json" ] ||
    die "schemas: the converter needs the npm packages (js-yaml): run 'make deps' (npm ci) first"
  case $KUBERNETES_RELEASE in v"$KUBERNETES_VERSION".*) ;; *)
    die "KUBERNETES_RELEASE=$KUBERNETES_RELEASE does not match KUBERNETES_VERSION=$KUBERNETES_VERSION in tools/versions.env" ;;
  esac
  [ "$(installed_version eksctl)" = "$(pinned_version eksctl)" ] || install_one eksctl
  local kubernetes crds=() controller version dir
  kubernetes=$(module_dir "k8s.io/kubernetes@$KUBERNETES_RELEASE")
  for controller in source kustomize helm; do
    version=${controller^^}_CONTROLLER_VERSION
    dir=$(module_dir "github.com/fluxcd/$controller-controller@${!version}")
    crds+=("$dir"/config/crd/bases/*.yaml)
  done
  # Build beside the installed copies and swap, so a failed run keeps the old ones. The stamp
  # moves into place last, with schemas/: a run interrupted before that is redone next time.
  rm -rf "$TOOLS_DIR/schemas.new" "$TOOLS_DIR/crds/flux.new"
  mkdir -p "$TOOLS_DIR/schemas.new" "$TOOLS_DIR/crds/flux.new"
  "$BIN/eksctl" utils schema >"$TOOLS_DIR/schemas.new/.eksctl-schema.json"
  node "$ROOT/tools/schemas/build-schemas.mjs" "$TOOLS_DIR/schemas.new" \
    "$kubernetes/api/openapi-spec/swagger.json" "$TOOLS_DIR/schemas.new/.eksctl-schema.json" "${crds[@]}"
  rm "$TOOLS_DIR/schemas.new/.eksctl-schema.json"
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

install_one() {
  local tool=$1 pinned have started
  pinned=$(pinned_version "$tool")
  have=$(installed_version "$tool")
  if [ "$have" = "$pinned" ]; then
    say "ok       $tool $pinned (already installed)"
    return 0
  fi
  [ "$tool" = venv ] || require_go
  started=$SECONDS
  say "building $tool $pinned${have:+ (replacing $have)} ..."
  "build_$tool"
  have=$(installed_version "$tool")
  [ "$have" = "$pinned" ] || die "$tool was built but reports '$have', expected '$pinned'"
  say "built    $tool $pinned in $((SECONDS - started))s"
}

mkdir -p "$BIN"
# One installer at a time per tools folder (parallel `make` targets, two terminals).
exec 9>"$TOOLS_DIR/.install.lock"
flock 9

# The venv (network-bound) installs while the Go tools (CPU-bound) build.
pids=()
if [[ " ${WANT[*]} " == *" venv "* ]]; then
  install_one venv & pids+=($!)
fi
status=0
for tool in "${WANT[@]}"; do
  [ "$tool" = venv ] || install_one "$tool" || status=$?
done
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
exit $status
