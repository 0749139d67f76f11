#!/usr/bin/env bash
# Seed 004's cURL examples against wa-gateway, plus sending a message and grabbing contacts.
#   BASE_URL=http://localhost:3000 API_KEY=... SESSION_ID=sales-1 TO=6281234567890 bash examples/curl.sh
set -euo pipefail
: "${BASE_URL:=http://localhost:3000}" "${API_KEY:?set API_KEY}" "${SESSION_ID:?set SESSION_ID}"
AUTH="Authorization: Bearer ${API_KEY}"

echo "# all connected sessions with credentials"
curl -sf -H "$AUTH" "$BASE_URL/sessions/connected/credentials"; echo
echo "# one session's credentials"
curl -sf -H "$AUTH" "$BASE_URL/sessions/$SESSION_ID/credentials"; echo
echo "# all sessions with credentials"
curl -sf -H "$AUTH" "$BASE_URL/sessions/all/credentials"; echo

if [ -n "${TO:-}" ]; then
  echo "# send a text message"
  curl -sf -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"to\":\"$TO\",\"message\":\"Hello from curl\"}" "$BASE_URL/sessions/$SESSION_ID/messages"; echo
fi
echo "# grab groups and contacts into the contacts table"
curl -sf -H "$AUTH" "$BASE_URL/api/sessions/$SESSION_ID/grab-all"; echo
