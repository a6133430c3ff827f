# Sourced by deploy/test.sh: one authenticated round trip through a running
# gateway. kaizen_smoke URL JWT_SECRET_FILE ISSUER COHORT_ID
#   - GET /readyz until every backend is SERVING (60 s at most)
#   - POST /v1/cohorts without a token: 401
#   - POST /v1/cohorts as the secretariat (a JWT from mint_token): 200
#   - GET the new DRAFT cohort with the token: 200 and its name (DRAFT
#     cohorts are visible to staff only, so the principal reached enrollment)
kaizen_wait_ready() {  # url seconds
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    curl -fsS "$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  kaizen_log "$1/readyz not ready after $2 s: $(curl -sS "$1/readyz" 2>&1 || true)"
  return 1
}

kaizen_token() {  # jwt-secret-file issuer
  "$MINT_TOKEN" --jwt_hs256_secret_file="$1" --iss="$2" --aud=kaizen \
    --sub=deploy-test-secretariat --roles=secretariat --ttl=10m
}

kaizen_smoke() {  # url jwt-secret-file issuer cohort-id
  local url=$1 token body code now later
  token=$(kaizen_token "$2" "$3")
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  later=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
  body=$(cat <<JSON
{"title": "デプロイ確認", "fiscalYear": 2030, "capacity": 10, "maxMunicipalities": 6,
 "eligibility": {"minAge": 20, "maxAge": 39, "ageReferenceDate": {"year": 2030, "month": 7, "day": 24}},
 "fee": {"currencyCode": "JPY", "units": "10000"},
 "applicationOpenTime": "$now", "applicationCloseTime": "$later"}
JSON
)
  code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "$body" "$url/v1/cohorts?cohortId=$4")
  [ "$code" = 401 ] || { kaizen_log "POST without a token gave $code, want 401"; return 1; }
  code=$(curl -sS -o "$KAIZEN_DEPLOY_STATE/smoke.out" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data "$body" "$url/v1/cohorts?cohortId=$4")
  [ "$code" = 200 ] || { kaizen_log "POST /v1/cohorts gave $code: $(cat "$KAIZEN_DEPLOY_STATE/smoke.out")"; return 1; }
  kaizen_get_cohort "$url" "$2" "$3" "$4"
}

kaizen_get_cohort() {  # url jwt-secret-file issuer cohort-id
  local token code
  token=$(kaizen_token "$2" "$3")
  code=$(curl -sS -o "$KAIZEN_DEPLOY_STATE/smoke.out" -w '%{http_code}' \
    -H "Authorization: Bearer $token" "$1/v1/cohorts/$4")
  if [ "$code" != 200 ] || ! grep -q "\"name\": *\"cohorts/$4\"" "$KAIZEN_DEPLOY_STATE/smoke.out"; then
    kaizen_log "GET /v1/cohorts/$4 gave $code: $(cat "$KAIZEN_DEPLOY_STATE/smoke.out")"
    return 1
  fi
}
