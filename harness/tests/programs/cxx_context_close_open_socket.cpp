// cppzmq: a REQ socket connected to a service that is down, a request
// sent, then context_t::close() while the socket is still open (its
// destructor would close it later). The context waits for that socket
// forever. libzmq #2312 ("context.close() hangs") with cppzmq: close the
// socket first, with a bounded linger.
//
// @server none
// @upstream libzmq#2312
// @expect tsan HANG:zmq_ctx_term
// @expect stress HANG:zmq_ctx_term
// @expect perturb HANG:zmq_ctx_term
// @expect owner HANG:zmq_ctx_term
// @says never closed
#include <zmq.hpp>

int main()
{
    zmq::context_t ctx;
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.connect("inproc://service-that-is-down");
    req.send(zmq::str_buffer("status?"), zmq::send_flags::dontwait);
    ctx.close(); // waits for req, which is still open
    return 0;
}
