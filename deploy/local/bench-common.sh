# What make bench and make bench-scale share: signing in and a benchmark cluster of their own with a
# fresh key, over HTTPS with curl. Sourced after common.sh.

# bench_api CA_FILE BASE_URL CREDENTIAL METHOD PATH [BODY]: one API call; its body on stdout.
bench_api() {
    curl -fsS --cacert "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' -X "$4" "$2/api/v1$5" ${6:+--data-binary "$6"}
}

# bench_sign_in CA_FILE BASE_URL EMAIL PASSWORD_FILE: an access token.
bench_sign_in() {
    local token
    token=$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": open(sys.argv[2]).read().strip()}))' "$3" "$4" \
        | curl -fsS --cacert "$1" -H 'Content-Type: application/json' --data-binary @- "$2/api/v1/auth/login" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || true
    [ -n "$token" ] || die "could not sign in to $2 as $3"
    echo "$token"
}

# bench_cluster CA_FILE BASE_URL TOKEN NAME DESCRIPTION: the id of the cluster NAME, made if missing.
bench_cluster() {
    local id
    id=$(bench_api "$1" "$2" "$3" GET "/clusters?limit=500" | python3 -c 'import json,sys; print(next((c["id"] for c in json.load(sys.stdin)["items"] if c["name"] == sys.argv[1]), ""))' "$4")
    [ -n "$id" ] || id=$(bench_api "$1" "$2" "$3" POST /clusters "{\"name\": \"$4\", \"description\": \"$5\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    echo "$id"
}

# bench_key CA_FILE BASE_URL TOKEN CLUSTER_ID LABEL: a fresh ck_ key of the cluster.
bench_key() {
    bench_api "$1" "$2" "$3" POST "/clusters/$4/keys" "{\"label\": \"$5\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}

# bench_qe_catalog CA_FILE BASE_URL KEY: the cluster offers QE's scf and total_energy, as the lifecycles need.
bench_qe_catalog() {
    bench_api "$1" "$2" "$3" PUT /agent/capabilities '{"engines": [{"name": "qe", "version": "bench", "analyses": [{"name": "scf", "requires": []}, {"name": "total_energy", "requires": ["scf"]}]}]}'
}
