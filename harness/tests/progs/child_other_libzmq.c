/* A test program, not a case: the parent starts a child that runs this
 * program again with LD_LIBRARY_PATH=LIBDIR, where another libzmq file lies
 * (a copy), so that the child loads that one and not the build's; the
 * parent waits for it and prints DONE. The verdict must be the harness's
 * ERROR: a process of the tree ran on another library than asked.
 *
 * usage: child_other_libzmq ENDPOINT LIBDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT LIBDIR\n", argv[0]);
        return 3;
    }
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    if (!strcmp(argv[2], "child"))
        return 0;
    pid_t child = fork();
    if (child == 0) {
        setenv("LD_LIBRARY_PATH", argv[2], 1);
        char *args[] = { argv[0], argv[1], (char *)"child", NULL };
        execv("/proc/self/exe", args);
        _exit(127);
    }
    int status;
    waitpid(child, &status, 0);
    printf("DONE\n");
    return 0;
}
