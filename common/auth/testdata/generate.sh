#!/bin/bash
# Regenerates the test certificates with Debian's openssl CLI. Test-only keys:
# never use them anywhere else. Valid for 100 years, for localhost and
# 127.0.0.1. Run from this directory: bash generate.sh
set -euo pipefail
days=36500
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# The test CA.
ec ca.key
openssl req -x509 -new -key ca.key -sha256 -days "$days" -subj "/CN=Kaizen test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.pem

# leaf <name> <extendedKeyUsage> [subjectAltName]
leaf() {
  ec "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=$2"
    [ -n "${3:-}" ] && echo "subjectAltName=$3"
  } > "$ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 \
    -days "$days" -extfile "$ext" -out "$1.pem"
  rm -f "$1.csr" "$ext"
}
leaf server serverAuth "DNS:localhost,IP:127.0.0.1"
leaf client clientAuth
rm -f ca.srl ca.key  # nothing else is ever signed with this CA

# A certificate from another CA, which the test CA's clients must refuse.
ec other.key
openssl req -x509 -new -key other.key -sha256 -days "$days" -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out other.pem
