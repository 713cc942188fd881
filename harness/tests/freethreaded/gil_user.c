/* gil_user: an extension module that does not declare Py_mod_gil (nor call
 * PyUnstable_Module_SetGIL), as most modules written before free-threaded
 * CPython: importing it turns the GIL back on for the whole process. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static struct PyModuleDef gil_user_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "gil_user",
    .m_doc = "a module that needs the GIL (it says nothing about it)",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit_gil_user(void)
{
    return PyModule_Create(&gil_user_module);
}
