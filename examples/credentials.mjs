// Seed 004's JavaScript (fetch) examples against wa-gateway, plus sending a message and grabbing
// contacts. Node 18+ (global fetch):
//   BASE_URL=http://localhost:3000 API_KEY=... SESSION_ID=sales-1 TO=6281234567890 node examples/credentials.mjs
const apiKey = process.env.API_KEY;
const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000';
const sessionId = process.env.SESSION_ID;
if (!apiKey || !sessionId) {
  throw new Error('set API_KEY and SESSION_ID');
}

async function call(path, init = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
  });
  const data = await response.json();
  if (!data.success) {
    throw new Error(`${path}: ${response.status} ${data.message}`);
  }
  return data;
}

async function getConnectedSessionsWithCredentials() {
  return call('/sessions/connected/credentials');
}

async function getSessionCredentials(id) {
  return call(`/sessions/${id}/credentials`);
}

async function getConnectedPhoneNumbers() {
  const sessions = await getConnectedSessionsWithCredentials();
  return sessions.data
    .filter((session) => session.userInfo?.phoneNumber)
    .map((session) => ({
      sessionId: session.sessionId,
      phoneNumber: session.userInfo.phoneNumber,
      name: session.userInfo.name,
      isActive: session.isActive,
    }));
}

const phoneNumbers = await getConnectedPhoneNumbers();
for (const session of phoneNumbers) {
  console.log(
    `${session.name} (${session.phoneNumber}) - ${session.isActive ? 'Active' : 'Inactive'}`,
  );
}
const credentials = await getSessionCredentials(sessionId);
console.log('Session credentials:', credentials.data.userInfo);

if (process.env.TO) {
  const sent = await call(`/sessions/${sessionId}/messages`, {
    method: 'POST',
    body: JSON.stringify({ to: process.env.TO, message: 'Hello from JavaScript' }),
  });
  console.log('Sent message', sent.data.messageId, sent.data.status);
}
const grabbed = await call(`/api/sessions/${sessionId}/grab-all`);
console.log(
  `Grabbed ${grabbed.data.total_groups} groups and ${grabbed.data.total_contacts} contacts`,
);
