#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600), seeded from ../shared/corpus, two at a
# time. Crashes land in fuzz/artifacts/TARGET/; copy each into
# tests/fuzz-regressions/TARGET/ once fixed, where `cargo test` replays them.
#   usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(haproxy apache nginx server_xml properties ciphers lint_file discover)
shared=../../shared/corpus
seed() {
    local target=$1 dir=corpus/$1
    mkdir -p "$dir"
    case $target in
        haproxy) find "$shared/haproxy-regtests" "$shared/haproxy-examples" "$shared/real/haproxy" "$shared/debian12" -name '*.cfg*' -type f ;;
        apache) find "$shared/real/apache" "$shared/debian12/etc/apache2" -type f ;;
        nginx) find "$shared/real/nginx" "$shared/debian12/etc/nginx" -type f ;;
        server_xml) find "$shared/real/tomcat-server-xml" "$shared/debian12/etc/tomcat10" -type f ;;
        properties) find "$shared/real/bitbucket-properties" -type f ;;
        ciphers) printf '%s\n' 'HIGH:!aNULL:!MD5' 'ECDHE+AESGCM:!RC4' 'ALL:+RC4:@STRENGTH' 'DEFAULT:-3DES' 'EXPORT:eNULL' > "$dir/seeds.txt"; return ;;
        lint_file) find "$shared/real" -type f ;;
        discover) cp ../tests/fuzz-regressions/discover/* "$dir/"; return ;;
    esac | while read -r file; do cp "$file" "$dir/$(basename "$file")" 2>/dev/null || true; done
}
export RUSTC_BOOTSTRAP=1
cargo fuzz build --sanitizer none -O
running=0
for target in "${targets[@]}"; do
    seed "$target"
    # A run over 1 s on one input is a hang; inputs up to 64 KiB.
    cargo fuzz run --sanitizer none -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=1 -max_len=65536 -print_final_stats=1 \
        > "logs-$target.txt" 2>&1 &
    running=$((running + 1))
    if [ "$running" -ge 2 ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true
for target in "${targets[@]}"; do
    printf '%-11s %s\n' "$target" "$(grep -E 'stat::number_of_executed_units|Done [0-9]+ runs|ERROR|deadly signal|timeout' "logs-$target.txt" | tr '\n' ' ')"
done
