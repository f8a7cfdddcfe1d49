#ifndef FINREC_CMALLOC_SHIM_H
#define FINREC_CMALLOC_SHIM_H

// glibc's allocator settings (mallopt); the Glibc module leaves malloc.h out.
#include <malloc.h>

#endif
