#ifndef FINREC_DEFLATE_SHIM_H
#define FINREC_DEFLATE_SHIM_H

// libdeflate (Debian: libdeflate-dev) compresses the audit log's stored results into zlib
// streams (RFC 1950) that any zlib reads back. pkg-config `libdeflate` supplies the flags.
#include <libdeflate.h>

#endif
