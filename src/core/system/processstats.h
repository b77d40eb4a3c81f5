// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include <optional>

// What Linux says about a process's memory and CPU time (/proc): for `bench` figures, the
// benchmarks, and the tests that measure the memory a bound keeps.
namespace Clickscope::ProcessStats {

// A "Name:   123 kB" field of /proc/<pid>/status (this process when pid is 0), in bytes; 0 when
// it cannot be read.
qint64 statusBytes(QByteArrayView field, qint64 pid = 0);

// The resident set size of a process, now.
inline qint64 residentBytes(qint64 pid = 0) { return statusBytes("VmRSS", pid); }

// The largest resident set size the process has had since it started.
inline qint64 peakResidentBytes(qint64 pid = 0) { return statusBytes("VmHWM", pid); }

// The file descriptors a process has open now (this process when pid is 0); 0 when it cannot be told.
int openDescriptors(qint64 pid = 0);

// User plus system CPU time of a process, in seconds; nothing when it cannot be read (no pid, gone).
std::optional<double> cpuSeconds(qint64 pid);

// User plus system CPU time of this process, in seconds.
double ownCpuSeconds();

}   // namespace Clickscope::ProcessStats
