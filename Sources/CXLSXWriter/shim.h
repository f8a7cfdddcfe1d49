#ifndef FINREC_XLSXWRITER_SHIM_H
#define FINREC_XLSXWRITER_SHIM_H

// libxlsxwriter (Debian: libxlsxwriter-dev) writes workbooks; zlib (which libxlsxwriter links)
// inflates the parts of an uploaded one. pkg-config `xlsxwriter` supplies the flags.
#include <xlsxwriter.h>
#include <zlib.h>

#endif
