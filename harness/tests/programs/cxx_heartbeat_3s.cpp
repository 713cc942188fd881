// cppzmq: a heartbeat thread that sends a beat every second over an
// inproc PAIR to main, which waits for three beats with a 1.5 s poll
// timeout and then stops. About 3 s of bounded waits (the heartbeat
// intervals in users' reports are seconds, not milliseconds). Correct;
// judged HANG today by the no-progress watch (0.5 s), which must learn
// that a thread in a bounded wait is not hung.
//
// @server none
// @label corpus-waits
// @expect stress CLEAN
// @expect perturb CLEAN
// @expect owner CLEAN
#include <chrono>
#include <thread>
#include <vector>
#include <zmq.hpp>

int main()
{
    zmq::context_t ctx;
    zmq::socket_t monitor(ctx, zmq::socket_type::pair);
    monitor.bind("inproc://heartbeat");
    std::thread beater([&ctx] {
        zmq::socket_t out(ctx, zmq::socket_type::pair);
        out.connect("inproc://heartbeat");
        for (int i = 0; i < 3; i++) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            out.send(zmq::str_buffer("beat"), zmq::send_flags::none);
        }
    });
    int beats = 0;
    while (beats < 3) {
        std::vector<zmq::pollitem_t> items = { { monitor.handle(), 0, ZMQ_POLLIN, 0 } };
        if (zmq::poll(items, std::chrono::milliseconds(1500)) == 0)
            break; // a missed beat
        zmq::message_t m;
        if (monitor.recv(m, zmq::recv_flags::none))
            beats++;
    }
    beater.join();
    return beats == 3 ? 0 : 1;
}
