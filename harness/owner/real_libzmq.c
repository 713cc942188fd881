/* Finding the real libzmq behind the wrappers. See real_libzmq.h. */
#include "real_libzmq.h"

#include "symbolize.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

#define MAX_OBJECTS 1024

/* dlsym, but never one of our own wrappers: forwarding to ourselves would
 * recurse forever. */
static void *lookup(void *handle, const char *name)
{
    void *address = dlsym(handle, name);
    if (address && address_in_this_library((uintptr_t)address))
        return NULL;
    return address;
}

struct loaded_objects {
    const char *names[MAX_OBJECTS];
    int count;
};

static int collect_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct loaded_objects *objects = data;
    if (info->dlpi_name && info->dlpi_name[0] && objects->count < MAX_OBJECTS)
        objects->names[objects->count++] = info->dlpi_name;
    return 0;
}

static void *open_if_libzmq(const char *name)
{
    void *handle = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle)
        return NULL;
    if (lookup(handle, "zmq_msg_send"))
        return handle; /* kept open: the functions are used until exit */
    dlclose(handle);
    return NULL;
}

/* A loaded object whose symbol scope (itself and its dependencies) defines
 * libzmq: the libzmq objects themselves first, then any object that depends
 * on one. dlopen is only called after dl_iterate_phdr has returned. */
static void *find_loaded_libzmq(void)
{
    static struct loaded_objects objects; /* 8 KiB; only used under the init once */
    objects.count = 0;
    dl_iterate_phdr(collect_object, &objects);
    for (int i = 0; i < objects.count; i++) {
        if (strncmp(module_basename(objects.names[i]), "libzmq", 6) != 0)
            continue;
        void *handle = open_if_libzmq(objects.names[i]);
        if (handle)
            return handle;
    }
    for (int i = 0; i < objects.count; i++) {
        void *handle = open_if_libzmq(objects.names[i]);
        if (handle)
            return handle;
    }
    return NULL;
}

/* A module's file name into a fixed buffer, cut to fit. */
static void copy_module_name(char *to, size_t size, const char *name)
{
    if (!name)
        return;
    size_t n = strnlen(name, size - 1);
    memcpy(to, name, n);
    to[n] = '\0';
}

void real_libzmq_resolve(struct real_libzmq *real)
{
    memset(real, 0, sizeof *real);
    void *handle = RTLD_NEXT;
    if (!lookup(RTLD_NEXT, "zmq_msg_send")) {
        handle = find_loaded_libzmq();
        if (!handle)
            return;
    }
    real->socket = lookup(handle, "zmq_socket");
    real->close = lookup(handle, "zmq_close");
    real->send = lookup(handle, "zmq_send");
    real->send_const = lookup(handle, "zmq_send_const");
    real->recv = lookup(handle, "zmq_recv");
    real->msg_send = lookup(handle, "zmq_msg_send");
    real->msg_recv = lookup(handle, "zmq_msg_recv");
    real->sendmsg = lookup(handle, "zmq_sendmsg");
    real->recvmsg = lookup(handle, "zmq_recvmsg");
    real->sendiov = lookup(handle, "zmq_sendiov");
    real->recviov = lookup(handle, "zmq_recviov");
    real->setsockopt = lookup(handle, "zmq_setsockopt");
    real->getsockopt = lookup(handle, "zmq_getsockopt");
    real->bind = lookup(handle, "zmq_bind");
    real->connect = lookup(handle, "zmq_connect");
    real->unbind = lookup(handle, "zmq_unbind");
    real->disconnect = lookup(handle, "zmq_disconnect");
    real->socket_monitor = lookup(handle, "zmq_socket_monitor");
    real->socket_monitor_versioned = lookup(handle, "zmq_socket_monitor_versioned");
    real->poll = lookup(handle, "zmq_poll");
    real->proxy = lookup(handle, "zmq_proxy");
    real->proxy_steerable = lookup(handle, "zmq_proxy_steerable");
    real->device = lookup(handle, "zmq_device");
    real->version = lookup(handle, "zmq_version");

    Dl_info info;
    void *init = lookup(handle, "zmq_msg_init");
    if (!init) {
        /* The functions come from a wrapper in the global scope, libzmq
         * from a local one (pyzmq's): look for it there. */
        void *local = find_loaded_libzmq();
        init = local ? lookup(local, "zmq_msg_init") : NULL;
    }
    if (init && dladdr(init, &info)) {
        real->module_base = info.dli_fbase;
        copy_module_name(real->module_path, sizeof real->module_path, info.dli_fname);
    }
    if (real->msg_send && dladdr((void *)real->msg_send, &info))
        copy_module_name(real->path, sizeof real->path, info.dli_fname);
}
