"""The deadline watcher cuts the socket under a statement that has run too long, and never a
socket that a closed connection's number has since been given to."""

import socket
import time

from feedback.db import Deadlines

EVERY = 0.05  # how often the watcher looks, in seconds


class FakeConnection:
    """Stands for a driver connection: a socket number and whether it is closed."""

    def __init__(self, sock):
        self.sock = sock
        self.closed = False

    def fileno(self):
        if self.closed:
            raise OSError("the connection is closed")
        return self.sock.fileno()

    def close(self):
        self.closed = True
        self.sock.close()


def _is_cut(sock):
    """A shut-down socket reads end-of-file at once; an open one with nothing to read would block."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False


def _wait_for_watcher():
    time.sleep(EVERY * 6)


def test_a_statement_past_its_deadline_has_its_socket_cut():
    deadlines = Deadlines(every=EVERY)
    ours, server = socket.socketpair()
    connection = FakeConnection(ours)
    deadlines.start(connection, 0.01)
    _wait_for_watcher()
    assert _is_cut(ours)
    server.close()
    ours.close()


def test_a_statement_that_ends_in_time_keeps_its_socket():
    deadlines = Deadlines(every=EVERY)
    ours, server = socket.socketpair()
    connection = FakeConnection(ours)
    deadlines.start(connection, 0.01)
    deadlines.stop(connection)
    _wait_for_watcher()
    assert not _is_cut(ours)
    server.close()
    ours.close()


def test_a_socket_given_the_number_of_a_closed_connection_is_never_cut():
    deadlines = Deadlines(every=EVERY)
    old, old_server = socket.socketpair()
    connection = FakeConnection(old)
    number = old.fileno()
    deadlines.start(connection, 0.3)  # the statement never reports its end
    connection.close()
    old_server.close()
    newcomers = []
    while not any(sock.fileno() == number for pair in newcomers for sock in pair):
        newcomers.append(socket.socketpair())  # the system hands out the lowest free number
        assert len(newcomers) < 50
    reused = next(sock for pair in newcomers for sock in pair if sock.fileno() == number)
    time.sleep(0.3 + EVERY * 6)
    assert not _is_cut(reused)
    for pair in newcomers:
        for sock in pair:
            sock.close()
