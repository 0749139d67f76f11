"""Seed 004's Python examples against wa-gateway (standard library only), plus sending a message
and grabbing contacts:

    BASE_URL=http://localhost:3000 API_KEY=... SESSION_ID=sales-1 TO=6281234567890 python3 examples/credentials.py
"""
import json
import os
import urllib.request

API_KEY = os.environ["API_KEY"]
BASE_URL = os.environ.get("BASE_URL", "http://localhost:3000")
SESSION_ID = os.environ["SESSION_ID"]

HEADERS = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}


def call(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{BASE_URL}{path}", data=data, headers=HEADERS, method="GET" if body is None else "POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def get_connected_sessions_with_credentials():
    return call("/sessions/connected/credentials")


def get_session_credentials(session_id):
    return call(f"/sessions/{session_id}/credentials")


def get_connected_phone_numbers():
    sessions = get_connected_sessions_with_credentials()
    return [
        {
            "sessionId": session["sessionId"],
            "phoneNumber": session["userInfo"]["phoneNumber"],
            "name": session["userInfo"]["name"],
            "isActive": session["isActive"],
        }
        for session in sessions["data"]
        if session.get("userInfo") and session["userInfo"].get("phoneNumber")
    ]


if __name__ == "__main__":
    print("Connected phone numbers:", get_connected_phone_numbers())
    print("Session credentials:", get_session_credentials(SESSION_ID)["data"]["userInfo"])
    if os.environ.get("TO"):
        sent = call(f"/sessions/{SESSION_ID}/messages", {"to": os.environ["TO"], "message": "Hello from Python"})
        print("Sent message", sent["data"]["messageId"], sent["data"]["status"])
    grabbed = call(f"/api/sessions/{SESSION_ID}/grab-all")
    print(f"Grabbed {grabbed['data']['total_groups']} groups and {grabbed['data']['total_contacts']} contacts")
