// A test program, not a case: a C++ client written with cppzmq (header-only,
// Debian's cppzmq-dev) that shares one DEALER between a send thread and a
// receive thread. `zmq-repro check` builds it with the mode's flags; under
// TSan on an instrumented libzmq it must be named as the program's doing.
//
// usage: cppzmq_shared_socket ENDPOINT COUNT
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <zmq.hpp>

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT COUNT\n", argv[0]);
        return 3;
    }
    long count = std::atol(argv[2]);
    zmq::context_t ctx;
    zmq::socket_t sock(ctx, zmq::socket_type::dealer);
    sock.set(zmq::sockopt::linger, 0);
    sock.connect(argv[1]);
    long received = 0;
    std::thread receiver([&] {
        for (long i = 0; i < count; i++) {
            zmq::message_t reply;
            if (sock.recv(reply))  // BROKEN: the same socket as the sender's
                received++;
        }
    });
    std::thread sender([&] {
        for (long i = 0; i < count; i++)
            sock.send(zmq::buffer(std::string("ping")), zmq::send_flags::none);  // BROKEN
    });
    sender.join();
    receiver.join();
    std::printf("DONE sent=%ld received=%ld\n", count, received);
    return 0;
}
