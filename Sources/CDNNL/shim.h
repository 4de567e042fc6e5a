// oneDNN (Debian's libdnnl-dev), the library PyTorch runs on the CPU: an in-run yardstick
// of the bench, never used by the kernels.
#include <oneapi/dnnl/dnnl.h>
