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

// Hands the freed heap back to the system now, beyond what the trim threshold keeps: for a
// server after many connections went, whose queues were many small blocks. Does nothing off glibc.
void releaseFreedMemory();

inline constexpr int kMmapThresholdBytes = 4 * 1024 * 1024;
inline constexpr int kTrimThresholdBytes = 8 * 1024 * 1024;

}   // namespace Clickscope
