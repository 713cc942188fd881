// cppzmq: one zmq::socket_t (a DEALER to the harness's echo ROUTER) handed
// by reference to a sending std::thread while main receives on it. The
// shape of the cppzmq questions "can I send from one thread and receive
// from another on the same socket_t?" and of libzmq #3200: it compiles, it
// often runs, and two threads are inside one socket at once.
//
// @server echo
// @args {endpoint} 20000
// @upstream libzmq#3200
// @expect tsan TSAN:data-race
// @expect owner SHARED_SOCKET
#include <cstdlib>
#include <iostream>
#include <thread>
#include <zmq.hpp>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const int count = std::atoi(argv[2]);
    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.connect(argv[1]);
    std::thread sender([&dealer, count] {
        for (int i = 0; i < count; i++)
            dealer.send(zmq::str_buffer("tick"), zmq::send_flags::none);
    });
    int got = 0;
    for (; got < count; got++) {
        zmq::message_t reply;
        if (!dealer.recv(reply, zmq::recv_flags::none))
            break;
    }
    sender.join();
    std::cout << got << " replies" << std::endl;
    return 0;
}
