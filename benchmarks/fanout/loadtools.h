// SPDX-License-Identifier: MIT
// What the three loads share: limits, clocks, exit codes.
#pragma once

#include "common/progress.h"
#include "core/system/processstats.h"

#include <QElapsedTimer>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace Clickscope::Bench {

using namespace std::chrono_literals;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr qint64 kMaxPostAttempts = 5;
// Enough POSTs in flight to hide one round trip, few enough that the 202s pace the publisher.
constexpr int kThroughputInFlight = 3;
constexpr int kPublishTickMs = 10;
// A burst of clicks owed after a stall is split so no body nears the servers' 1 MiB limit.
constexpr qint64 kMaxClicksPerPost = 1000;
// Connections being opened at once. QTcpServer's default listen backlog is 50: a thousand SYNs
// at once overflow it and the kernel retries the dropped ones only after a second.
constexpr int kConnectWindow = 40;
constexpr qsizetype kScratchBytes = 256 * 1024;
constexpr qsizetype kMaxHeadBytes = 16 * 1024;
constexpr auto kStragglerWait = 2s;
// What a raw SSE subscriber sends: fanout and churn connect the same way.
constexpr char kSseRequest[] = "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
constexpr auto kSseRequestSize = qint64(sizeof kSseRequest - 1);
constexpr auto kStatsPollInterval = 50ms;

inline qint64 wallMicros()
{
    // Wall clock, so a click's "sentUs" means the same to any reader of the stream. Sender and
    // receiver are this one process, so only a clock step could skew it, and would show as an outlier.
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline double seconds(const QElapsedTimer &timer) { return double(timer.nsecsElapsed()) / 1e9; }

// Resident memory of a process in KiB; nothing when it cannot be read.
inline std::optional<qint64> residentKb(qint64 pid)
{
    const qint64 bytes = ProcessStats::residentBytes(pid);
    return bytes > 0 ? std::optional<qint64>(bytes / 1024) : std::nullopt;
}

// A thousand subscribers need a thousand descriptors here; the soft limit is often 1024.
inline bool ensureDescriptors(qint64 needed)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return false;
    if (limit.rlim_cur != RLIM_INFINITY && qint64(limit.rlim_cur) < needed) {
        limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t(needed) : std::min(limit.rlim_max, rlim_t(needed));
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur != RLIM_INFINITY && qint64(limit.rlim_cur) < needed) {
        progress("needs %lld open files but the limit is %llu; raise it (ulimit -n %lld)",
                 static_cast<long long>(needed), static_cast<unsigned long long>(limit.rlim_cur),
                 static_cast<long long>(needed));
        return false;
    }
    return true;
}

}   // namespace Clickscope::Bench
