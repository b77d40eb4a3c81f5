// SPDX-License-Identifier: MIT
#pragma once

namespace Clickscope {

// Reading a fast stream allocates and frees about a megabyte per read (the read, the events'
// shared buffer). The C library's defaults serve blocks that size with mmap, or give the top of the
// heap back to the system as soon as it is freed, so every read faults its pages in afresh: at
// loopback speed that kernel work took most of listen's time. Called first thing in main(): blocks
// under kMmapThresholdBytes come from the heap, and up to kTrimThresholdBytes of freed heap is
// kept for the next read. Does nothing off glibc.
void tuneAllocatorForStreaming();

inline constexpr int kMmapThresholdBytes = 4 * 1024 * 1024;
inline constexpr int kTrimThresholdBytes = 8 * 1024 * 1024;

}   // namespace Clickscope
