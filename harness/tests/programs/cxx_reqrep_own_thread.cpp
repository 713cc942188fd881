// cppzmq: a REP server in a std::thread and a REQ client in main, over
// inproc, each socket made and used by one thread only (the rule cppzmq's
// README repeats: socket_t is not thread safe; the context is). Fifty
// round trips, one line of plain text, exit 0. The "hello world in one
// binary" that cppzmq users post when asking whether their threads are
// right. Correct.
//
// @server none
// @expect tsan CLEAN
// @expect stress CLEAN
// @expect perturb CLEAN
// @expect owner CLEAN
#include <iostream>
#include <string>
#include <thread>
#include <zmq.hpp>

int main()
{
    zmq::context_t ctx;
    const int rounds = 50;
    zmq::socket_t rep(ctx, zmq::socket_type::rep);
    rep.bind("inproc://greeter");
    std::thread server([&rep] {
        for (int i = 0; i < rounds; i++) {
            zmq::message_t request;
            if (!rep.recv(request, zmq::recv_flags::none))
                return;
            rep.send(zmq::buffer(std::string("world")), zmq::send_flags::none);
        }
        rep.close();
    });
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.connect("inproc://greeter");
    int answered = 0;
    for (int i = 0; i < rounds; i++) {
        req.send(zmq::buffer(std::string("hello")), zmq::send_flags::none);
        zmq::message_t reply;
        if (req.recv(reply, zmq::recv_flags::none))
            answered++;
    }
    req.close();
    server.join();
    std::cout << answered << " round trips" << std::endl;
    return answered == rounds ? 0 : 1;
}
