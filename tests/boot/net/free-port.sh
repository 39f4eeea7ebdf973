# Sourced by the network tests: free_port prints a TCP port nobody listens
# on now on 127.0.0.1 (the kernel's choice when python3 exists, else a
# pseudo-random one; the tests retry when doppel cannot listen on it).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
        2>/dev/null || echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
}
