#!/bin/sh
# One-shot: waits for the Temporal server, then makes sure the namespace exists and clipgen's search attributes are
# registered on it (ClipJobId, ClipIndex, ClipModel, ClipPhase; src/domain/search-attributes.ts). Safe to run again.
set -eu

address=${TEMPORAL_ADDRESS:-temporal:7233}
namespace=${TEMPORAL_NAMESPACE:-default}

attempt=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  [ "$attempt" -lt 60 ] || { echo "Temporal at $address is not healthy after $attempt tries" >&2; exit 1; }
  sleep 2
done

if ! temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention 7d
  echo "namespace $namespace created"
fi

existing=$(temporal operator search-attribute list --address "$address" --namespace "$namespace")
for attribute in ClipJobId=Keyword ClipIndex=Int ClipModel=Keyword ClipPhase=Keyword; do
  name=${attribute%%=*}
  type=${attribute#*=}
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type "$type"
    echo "search attribute $name ($type) registered"
  fi
done
