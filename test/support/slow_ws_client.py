"""A WebSocket client that reads nothing until told: the feed's slow client.

Its receive buffer is set small before it connects, which turns off the kernel's
autotuning for that socket, so the server meets a full socket after a few MB rather than
after the tens of MB loopback can otherwise absorb (Node cannot set SO_RCVBUF on TCP).

    python3 slow_ws_client.py HOST PORT PATH TOKEN

Prints the handshake's status line, then waits for a line on stdin; then reads every frame
until the close frame and prints `<messages> <close code> <close reason>`.
"""
import base64
import os
import socket
import struct
import sys

host, port, path, token = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
sock.connect((host, port))
key = base64.b64encode(os.urandom(16)).decode()
sock.sendall((
    f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n"
).encode())

head = b""
while not head.endswith(b"\r\n\r\n"):
    byte = sock.recv(1)  # one byte at a time: nothing past the handshake is read yet
    if not byte:
        sys.exit("closed during the handshake")
    head += byte
print(head.split(b"\r\n")[0].decode(), flush=True)

sys.stdin.readline()


def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


messages = 0
try:
    while True:
        first, second = read_exact(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack(">H", read_exact(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", read_exact(8))[0]
        payload = read_exact(length)  # a server's frames are not masked
        opcode = first & 0x0F
        if opcode == 8:
            code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
            print(messages, code, payload[2:].decode(), flush=True)
            break
        if opcode in (1, 2):
            messages += 1
except EOFError:
    print(messages, 1006, "", flush=True)
