// cppzmq: a DEALER client of the harness's echo ROUTER that never blocks:
// zmq::poll with a 100 ms timeout, a window of requests in flight, every
// reply read by the one thread that owns the socket. The shape of the
// asynchronous client of the guide (and of pyzmq #2094's fixed client,
// here in C++). Correct; silent.
//
// @server echo
// @args {endpoint}
// @expect tsan CLEAN
// @expect stress CLEAN
// @expect perturb CLEAN
// @expect owner CLEAN
#include <chrono>
#include <vector>
#include <zmq.hpp>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 200);
    dealer.connect(argv[1]);
    const int total = 300, window = 20;
    int sent = 0, received = 0;
    while (received < total) {
        while (sent < total && sent - received < window) {
            dealer.send(zmq::str_buffer("work"), zmq::send_flags::none);
            sent++;
        }
        std::vector<zmq::pollitem_t> items = { { dealer.handle(), 0, ZMQ_POLLIN, 0 } };
        zmq::poll(items, std::chrono::milliseconds(100));
        if (items[0].revents & ZMQ_POLLIN) {
            zmq::message_t reply;
            while (dealer.recv(reply, zmq::recv_flags::dontwait))
                received++;
        }
    }
    return 0;
}
