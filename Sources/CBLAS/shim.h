#ifndef FINREC_CBLAS_SHIM_H
#define FINREC_CBLAS_SHIM_H

// OpenBLAS's cblas.h also declares openblas_set_num_threads and openblas_get_config.
// pkg-config `openblas` supplies the include path (Debian: .../openblas-pthread/).
#include <cblas.h>

#endif
