// SPDX-License-Identifier: MIT
#include "core/system/allocatortuning.h"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace Clickscope {

void tuneAllocatorForStreaming()
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)   // glibc's
    mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
    mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);
#endif
}

void releaseFreedMemory()
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

}   // namespace Clickscope
