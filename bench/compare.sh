#!/usr/bin/env bash
# Whole-run benchmark: atl-lint against `haproxy -c`, `apache2 -t`, `nginx -t` and `cat`
# (reading the same files, the floor) on configurations from ../shared/bench/gen.py and
# bench/gen_nginx.py, then the targets.
# Then the pathological shapes of bench/shapes.py, each against the bound of any input: under
# 1 s a MiB (1 s at most for the 1 MiB ones) within 64 MiB plus 10 times its size.
#   usage: bench/compare.sh [N...]        (default: 100 1000 10000 20000)
#          bench/compare.sh shapes        (the pathological shapes only)
# Needs: python3, Debian's haproxy, apache2 and nginx, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
only_shapes=0
if [ "${1:-}" = shapes ]; then only_shapes=1; shift; fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 10000 20000)
[ $only_shapes = 0 ] || sizes=()
gen=../shared/bench/gen.py
cargo build --release --quiet
bin=$PWD/target/release/atl-lint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

# Wall time of a command in milliseconds: the best of REPS runs (fewer for slow ones).
best_ms() {
    local best="" reps=5 i start end ms
    for ((i = 0; i < reps; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        ms=$(( (end - start) / 1000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
        [ "$ms" -gt 2000000 ] && break
    done
    printf '%d.%03d' $((best / 1000)) $((best % 1000))
}
peak_mib() {
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || true
    # GNU time writes a line before the figure when the command fails.
    awk 'END { printf "%.1f", $1 / 1024 }' "$work/rss"
}
bytes_of() { find "$@" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
cat_files() { find "$@" -type f -print0 | xargs -0 cat; }
# The simplest tokenizer there is, run the same way: how far above `cat` splitting the text
# into words alone takes.
count_words() { find "$@" -type f -print0 | LC_ALL=C xargs -0 wc -w; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print "-" }'; }

rows=()
declare -A atl size peak peer floor words
for n in "${sizes[@]+"${sizes[@]}"}"; do
    python3 "$gen" haproxy "$n" "$work/haproxy-$n.cfg"
    python3 "$gen" apache "$n" "$work/apache-$n"
    python3 "$gen" tree "$n" "$work/tree-$n"
    python3 bench/gen_nginx.py "$n" "$work/nginx-$n"
    mkdir -p "$work/nginx-$n-prefix/logs"
    for kind in haproxy apache nginx tree; do
        case $kind in
            haproxy) input=$work/haproxy-$n.cfg; peer_cmd=(haproxy -c -q -f "$input") ;;
            apache) input=$work/apache-$n; peer_cmd=(apache2 -t -f "$input/apache2.conf") ;;
            # `nginx -t` would also load the certificates; the file names none that exist, so
            # it stops there: the peer is measured on the same tree without them.
            nginx) input=$work/nginx-$n
                cp -r "$input/conf.d" "$input/nginx.conf" "$work/nginx-$n-prefix/"
                sed -i '/ssl_certificate/d; s/listen 443 ssl;/listen 8443;/' "$work/nginx-$n-prefix"/conf.d/*.conf
                peer_cmd=(nginx -t -q -e stderr -p "$work/nginx-$n-prefix/" -c "$work/nginx-$n-prefix/nginx.conf") ;;
            tree) input=$work/tree-$n; peer_cmd=() ;;
        esac
        key=$kind-$n
        atl[$key]=$(best_ms "$bin" -q --no-config --no-live "$input")
        peak[$key]=$(peak_mib "$bin" -q --no-config --no-live "$input")
        size[$key]=$(bytes_of "$input")
        floor[$key]=$(best_ms cat_files "$input")
        words[$key]=$(best_ms count_words "$input")
        if [ ${#peer_cmd[@]} -gt 0 ]; then peer[$key]=$(best_ms "${peer_cmd[@]}"); else peer[$key]=""; fi
        rows+=("$key")
    done
done
# The pathological shapes: NAME SHAPE COUNT FORMAT. The first of each pair is the size the
# issue measured, the second about 1 MiB.
shape_rows=(
    "proxypass-100k proxypass 100000 human" "proxypass-1MiB proxypass 20000 human"
    "nested-100k nested 100000 human" "nested-1MiB nested 30000 human"
    "template-1MiB template 349525 human"
    "lines-1M lines 1000000 human" "lines-1MiB lines 524288 human"
    "sarif-300k lines 300000 sarif" "sarif-1MiB lines 524288 sarif"
    "if-100k if 100000 human" "if-1MiB if 47000 human"
    "value-15MB value 15000000 human" "value-1MiB value 1048576 human"
    "nginx-locations-1MiB nginx-locations 10000 human" "nginx-nested-1MiB nginx-nested 70000 human"
)
declare -A shape_ms shape_peak shape_size
shapes=()
for row in "${shape_rows[@]}"; do
    read -r name shape count format <<<"$row"
    dir=$work/shape-$name
    python3 bench/shapes.py "$shape" "$count" "$dir"
    shape_ms[$name]=$(best_ms "$bin" -q --no-config --no-live -f "$format" "$dir")
    shape_peak[$name]=$(peak_mib "$bin" -q --no-config --no-live -f "$format" "$dir")
    shape_size[$name]=$(bytes_of "$dir")
    shapes+=("$name")
done
printf '\n| shape | size | atl-lint ms | peak MiB | limit MiB |\n|---|---:|---:|---:|---:|\n'
for name in "${shapes[@]}"; do
    limit=$(awk -v s="${shape_size[$name]}" 'BEGIN { printf "%.1f", 64 + 10 * s / 1048576 }')
    printf '| %s | %s B | %s | %s | %s |\n' "$name" "${shape_size[$name]}" "${shape_ms[$name]}" "${shape_peak[$name]}" "$limit"
done

status=0
check() { if awk "BEGIN { exit !($2) }"; then echo "ok    $1"; else echo "MISS  $1"; status=1; fi; }
echo
for name in "${shapes[@]}"; do
    mib=$(awk -v s="${shape_size[$name]}" 'BEGIN { m = s / 1048576; printf "%.2f", m < 1 ? 1 : m }')
    check "$name: ${shape_ms[$name]} ms <= 1 s a MiB ($mib MiB)" "${shape_ms[$name]} <= 1000 * $mib"
    limit=$(awk -v s="${shape_size[$name]}" 'BEGIN { printf "%.1f", 64 + 10 * s / 1048576 }')
    check "$name: peak ${shape_peak[$name]} MiB <= 64 MiB + 10x input ($limit)" "${shape_peak[$name]} <= $limit"
done
[ $only_shapes = 0 ] || exit $status

small=$(best_ms "$bin" -q --no-config --no-live fixtures/e2e)

printf '\n| input | size | atl-lint ms | peak MiB | peer | peer ms | cat ms | wc -w ms | atl-lint / peer | atl-lint / cat | wc -w / cat |\n'
printf '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n'
for key in "${rows[@]}"; do
    case $key in haproxy-*) name="haproxy -c";; apache-*) name="apache2 -t";; nginx-*) name="nginx -t";; *) name="-";; esac
    pr="-"; [ -n "${peer[$key]}" ] && pr=$(ratio "${atl[$key]}" "${peer[$key]}")
    printf '| %s | %s B | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$key" "${size[$key]}" "${atl[$key]}" \
        "${peak[$key]}" "$name" "${peer[$key]:--}" "${floor[$key]}" "${words[$key]}" "$pr" \
        "$(ratio "${atl[$key]}" "${floor[$key]}")" "$(ratio "${words[$key]}" "${floor[$key]}")"
done
printf '| fixtures/e2e (a small repository) | %s B | %s | | | | | | | | |\n' "$(bytes_of fixtures/e2e)" "$small"

# The targets.
echo
last=${sizes[-1]}
if [ -n "${peer[haproxy-$last]:-}" ]; then
    check "haproxy-$last: atl-lint <= 1% of haproxy -c ($(ratio "${atl[haproxy-$last]}" "${peer[haproxy-$last]}"))" \
        "${atl[haproxy-$last]} <= 0.01 * ${peer[haproxy-$last]}"
    check "apache-$last: atl-lint <= 1/2 of apache2 -t ($(ratio "${atl[apache-$last]}" "${peer[apache-$last]}"))" \
        "${atl[apache-$last]} <= 0.5 * ${peer[apache-$last]}"
    check "nginx-$last: atl-lint <= 1/2 of nginx -t ($(ratio "${atl[nginx-$last]}" "${peer[nginx-$last]}"))" \
        "${atl[nginx-$last]} <= 0.5 * ${peer[nginx-$last]}"
fi
for key in "${rows[@]}"; do
    check "$key: atl-lint <= 3x cat ($(ratio "${atl[$key]}" "${floor[$key]}"))" "${atl[$key]} <= 3 * ${floor[$key]}"
    limit=$(awk -v s="${size[$key]}" 'BEGIN { printf "%.1f", 3 * s / 1048576 + 20 }')
    check "$key: peak ${peak[$key]} MiB <= 3x input + 20 MiB ($limit)" "${peak[$key]} <= $limit"
done
if [[ " ${sizes[*]} " == *" 1000 "* ]] && [[ " ${sizes[*]} " == *" 20000 "* ]]; then
    for kind in haproxy apache nginx tree; do
        growth=$(ratio "${atl[$kind-20000]}" "${atl[$kind-1000]}")
        check "$kind: time grows ${growth}x for 20x the input (<= 26)" "$growth <= 26"
        mem=$(ratio "${peak[$kind-20000]}" "${peak[$kind-1000]}")
        check "$kind: memory grows ${mem}x for 20x the input (<= 26)" "$mem <= 26"
    done
fi
check "fixtures/e2e: ${small} ms < 10 ms" "$small < 10"
exit $status
