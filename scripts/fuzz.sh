#!/usr/bin/env bash
# Fuzzes every parser of outside data for a bounded time each (cargo-fuzz: libFuzzer with
# AddressSanitizer): catalog files, calendar files, portal answers (applied to a real counter
# database), pulled changes (validated as strictly as local input), the portal's request parsing,
# intake input, form input and template markup.
#   FUZZ_SECONDS=60 ./scripts/fuzz.sh            # every target, 60 s each (the default)
#   FUZZ_SECONDS=600 ./scripts/fuzz.sh calendar  # one target, longer
#   FUZZ_SECONDS=10 FUZZ_DEV=1 ./scripts/fuzz.sh  # what CI runs (scripts/test.sh): an unoptimised
#                                                # build, which compiles in a fraction of the time
# cargo-fuzz needs unstable compiler flags (-Zsanitizer). With a nightly toolchain installed it uses
# it; otherwise it runs the machine's stable toolchain with RUSTC_BOOTSTRAP=1 (stable ships the
# AddressSanitizer runtime), since no other toolchain can be downloaded on CI's machines.
# Crashes are written to fuzz/artifacts/<target>/ and the script exits non-zero. The corpus grows in
# fuzz/corpus/<target>/ (seeded from the shipped catalog and calendar; not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_EACH=${FUZZ_SECONDS:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  TOOLCHAIN=+nightly
else
  TOOLCHAIN=+stable
  export RUSTC_BOOTSTRAP=1
fi
PROFILE=()
[ "${FUZZ_DEV:-0}" = 1 ] && PROFILE=(--dev)
all=(catalog calendar portal_response pulled_change portal_request intake_input form_input card document_file)
for t in "${all[@]}"; do mkdir -p "fuzz/corpus/$t"; done
cp -n assets/catalog/procedures.json fuzz/corpus/catalog/ 2>/dev/null || true
cp -n assets/calendar/vn-calendar.json fuzz/corpus/calendar/ 2>/dev/null || true
cp -n tests/fixtures/documents/citizen.pdf tests/fixtures/documents/citizen-password.pdf fuzz/corpus/document_file/ 2>/dev/null || true
printf '001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Số 1, Phường Quán Thánh, Quận Ba Đình, Hà Nội|10082021' > fuzz/corpus/card/seed-7
printf '079305001234||TRẦN THỊ MAI|14022005|Nữ|Ấp 3, Xã Tân Thạnh Đông, Huyện Củ Chi, TP Hồ Chí Minh|01072024|TRẦN VĂN BA|LÊ THỊ TƯ||' > fuzz/corpus/card/seed-11
echo '{"procedure_code":"1.004873","fee":0,"applicant":{"full_name":"Nguyễn Văn A","id_type":"cccd","id_number":"001090012345","date_of_birth":"1990-03-05","phone":"0912345678","address":"Ba Đình"}}' > fuzz/corpus/intake_input/seed.json
echo '{"protocol":1,"server_time":0,"changes":[{"portal_seq":1,"type":"calendar","data":{}}],"next_cursor":1,"more":false}' > fuzz/corpus/portal_response/seed.json
echo '{"reason":"Thiếu giấy tờ","missing":["Bản sao giấy khai sinh"],"new_due":"20/12/2026","department":"Phòng Tư pháp"}' > fuzz/corpus/form_input/seed.json
printf '\001{"protocol":1,"device_id":"x","events":[{"uid":"0192a0b1-0000-7000-8000-000000000001","counter_id":"Q01","seq":1,"dossier_uid":"0192a0b1-0000-7000-8000-000000000002","dossier_code":"000.00.31.H26-261123-0001","kind":"refused","at":"2026-11-23T10:00:00+07:00","hlc":"","clerk_id":"CB01","payload":{"kind":"refused","reason":"x"}}]}' > fuzz/corpus/portal_request/seed-push
printf '\000{"protocol":1,"enrolment_code":"FUZZ","agency_code":"000.00.31.H26","counter_id":"Q02","counter_name":"Q","app_version":"1"}' > fuzz/corpus/portal_request/seed-enrol
echo '{"portal_seq":1,"type":"event","event":{"uid":"0192a0b1-0000-7000-8000-000000000001","counter_id":"CONG","seq":1,"dossier_uid":"0192a0b1-0000-7000-8000-000000000002","dossier_code":"../../PWNED","kind":"refused","at":"2026-11-23T10:00:00+07:00","hlc":"","clerk_id":"BO01","payload":{"kind":"refused","reason":"x"}}}' > fuzz/corpus/pulled_change/seed.json
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
cd fuzz
# One build for every target (they share the dependency tree), then each runs for its time.
if [ $# -eq 0 ]; then cargo $TOOLCHAIN fuzz build "${PROFILE[@]}" -s address; else for t in "${targets[@]}"; do cargo $TOOLCHAIN fuzz build "${PROFILE[@]}" -s address "$t"; done; fi
for t in "${targets[@]}"; do
  echo "=== fuzz $t for ${SECONDS_EACH}s ==="
  log="$(mktemp)"
  if ! cargo $TOOLCHAIN fuzz run "${PROFILE[@]}" -s address "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz target $t failed (input saved under fuzz/artifacts/$t)" >&2
    exit 1
  fi
  grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$log" || tail -n 2 "$log"
  rm -f "$log"
done
echo "fuzzing done: no crash in ${targets[*]}"
