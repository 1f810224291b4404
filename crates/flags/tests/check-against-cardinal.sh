#!/bin/sh
# Checks this crate's expected outputs against cardinal's binary (docs/flags.md, "Equality with
# cardinal"): regenerates the fixtures' *.expected.json with cardinal, then runs cardinal on every
# table case of tests/it/indicators.rs and compares it with the table's expectation.
#
#   crates/flags/tests/check-against-cardinal.sh /path/to/ocdscardinal
#
# Needs python3 (to compare JSON with sorted keys). RAYON_NUM_THREADS=1: cardinal's results for an
# ocid on several lines, and for the first currency when none is set, depend on its threads.
set -eu
cardinal=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
export RAYON_NUM_THREADS=1
compare='import json, sys
def norm(v, maps=False):
    if isinstance(v, dict):
        return {k: norm(x, maps or k == "Maps") for k, x in v.items()}
    if isinstance(v, list):
        return sorted(norm(x, maps) for x in v) if maps else [norm(x) for x in v]
    return v
sys.exit(0 if norm(json.load(open(sys.argv[1]))) == norm(json.load(open(sys.argv[2]))) else 1)'

cd "$here/fixtures"
"$cardinal" indicators --settings all-indicators.ini all-indicators.jsonl > all-indicators.expected.json 2> /dev/null
"$cardinal" indicators --settings all-indicators.ini --map all-indicators.jsonl > all-indicators.map.expected.json 2> /dev/null
for directory in cardinal/examples cardinal/indicators; do
    (
        cd "$directory"
        for input in *.jsonl; do
            name=${input%.jsonl}
            settings=$name.ini
            [ -f "$settings" ] || settings=settings.ini
            "$cardinal" indicators --settings "$settings" "$input" > "$name.expected.json"
            "$cardinal" indicators --settings "$settings" --map "$input" > "$name.map.expected.json"
        done
    )
done 2> /dev/null

cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT
(cd "$here/.." && FLAGS_CASES_DIR="$cases" cargo test --quiet --test it indicators:: > /dev/null)
failures=0
for settings in "$cases"/*.ini; do
    case=${settings%.ini}
    meta=--no-meta
    [ "$(cat "$case.meta")" = 1 ] && meta=
    "$cardinal" indicators --settings "$settings" $meta "$case.jsonl" > "$case.cardinal" 2> /dev/null
    if ! python3 -c "$compare" "$case.cardinal" "$case.expected"; then
        failures=$((failures + 1))
        echo "case $(basename "$case"): cardinal printed $(cat "$case.cardinal")"
        echo "    the table expects $(cat "$case.expected")"
        echo "    input: $(head -c 300 "$case.jsonl")"
    fi
done
echo "$(ls "$cases"/*.ini | wc -l) table cases checked, $failures differ from cardinal"
[ "$failures" -eq 0 ]
