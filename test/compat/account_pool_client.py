#!/usr/bin/env python3
"""A client of the existing account-pool API, written the way its clients are: a fixed
session id, `requests`, no token (the service runs with ROSTER_COMPAT_LOOPBACK_OPEN=true
on loopback), allocate -> use -> release. Exits 0 when a whole run went as the API
promises; run it twice in a row to check that a fixed session id can be used again.

    python3 test/compat/account_pool_client.py http://127.0.0.1:8080 [session_id]
"""
import sys

import requests


def main() -> int:
    base = sys.argv[1].rstrip('/')
    session_id = sys.argv[2] if len(sys.argv) > 2 else 'my_session'

    health = requests.get(f'{base}/health', timeout=10)
    health.raise_for_status()
    if health.json().get('status') != 'ok':
        print('health is not ok:', health.text)
        return 1

    allocated = requests.post(f'{base}/api/accounts/allocate', json={'session_id': session_id}, timeout=30).json()
    if not allocated.get('success'):
        print('allocate failed:', allocated.get('message'))
        return 1
    accounts = allocated['accounts']
    if allocated.get('session_id') != session_id or not accounts:
        print('unexpected allocation:', allocated)
        return 1
    for account in accounts:
        for field in ('email', 'local_id', 'id_token', 'refresh_token', 'status', 'use_count', 'session_id'):
            if field not in account:
                print('account without', field, account)
                return 1
        detail = requests.get(f"{base}/api/accounts/{account['email']}", timeout=10).json()
        if detail.get('status') != 'in_use' or detail.get('session_id') != session_id:
            print('account not held by this session:', detail)
            return 1

    status = requests.get(f'{base}/api/accounts/status', timeout=10).json()
    if status['pool_stats']['in_use'] < len(accounts) or status['active_sessions'] < 1:
        print('status does not show the session:', status)
        return 1

    released = requests.post(f'{base}/api/accounts/release', json={'session_id': session_id}, timeout=30).json()
    if not released.get('success'):
        print('release failed:', released.get('message'))
        return 1
    print(f"ok: session {session_id} held {', '.join(a['email'] for a in accounts)} and released them")
    return 0


if __name__ == '__main__':
    sys.exit(main())
